"""Locust users for `make bench`: coordinators filling their LKE, reviewers reading theirs.

Run by bench/load.py against gunicorn (2 workers) serving the demo data on 127.0.0.1.
"""

from __future__ import annotations

import random
import re

from locust import HttpUser, between, task

PASSWORD = "zona-integritas"  # noqa: S105 - the published demo password
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# The area's one answer form names each item's fields "<code>-<field>" (issue 14 §1); a script
# saves one item at a time on the item's own endpoint, as posted here.
VERSION = re.compile(r'name="([^"]+)-version" value="(\d+)"')
AREAS = ["1", "2", "3", "4", "5", "6", "B"]


class _Signed(HttpUser):
    abstract = True
    username = ""
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        page = self.client.get("/login", name="/login")
        token = TOKEN.search(page.text).group(1)
        self.client.post(
            "/login",
            data={"username": self.username, "password": PASSWORD, "csrf_token": token},
            name="/login [POST]",
        )
        home = self.client.get("/", name="/")
        self.enrolment = self._enrolment_url(home.text)

    def _enrolment_url(self, html: str) -> str:
        unit = re.search(r'href="(/units/\d+)"', html).group(1)
        overview = self.client.get(unit + "/zi", name="/units/[id]/zi").text
        return re.search(r'href="(/enrolments/\d+)"', overview).group(1)


class Coordinator(_Signed):
    """Polres Metro Bekasi's coordinator: reads areas, saves answers (with their version)."""

    weight = 3
    username = "koordinator.metrobekasi"

    @task(5)
    def read_area(self) -> None:
        self.client.get(
            f"{self.enrolment}/lke?area={random.choice(AREAS)}",
            name="/enrolments/[id]/lke?area",
        )

    @task(2)
    def save_answer(self) -> None:
        page = self.client.get(f"{self.enrolment}/lke?area=1", name="/enrolments/[id]/lke?area")
        versions = dict(VERSION.findall(page.text))
        choices = {
            code: re.findall(rf'name="{re.escape(code)}-value" value="([^"]+)"', page.text)
            for code in versions
        }
        choice_items = [code for code, options in choices.items() if options]
        if not choice_items:
            return
        code = random.choice(choice_items)
        self.client.post(
            f"{self.enrolment}/lke/unit/{code}",
            data={
                "value": random.choice(choices[code]),
                "note": "uji beban",
                "version": versions[code],
                "csrf_token": TOKEN.search(page.text).group(1),
            },
            headers={"Accept": "application/json"},
            name="/enrolments/[id]/lke/[tier]/[code] [POST]",
        )

    @task(1)
    def overview(self) -> None:
        self.client.get(self.enrolment, name="/enrolments/[id]")


class Reviewer(_Signed):
    """Polda Metro Jaya's preliminary assessor: the queue, the LKE under review, comparisons."""

    weight = 2
    username = "penilai.poldametro"

    def _enrolment_url(self, html: str) -> str:
        queue = self.client.get("/review/queue", name="/review/queue").text
        return re.search(r'href="(/enrolments/\d+)/lke"', queue).group(1)

    @task(3)
    def read_area(self) -> None:
        self.client.get(
            f"{self.enrolment}/lke?area={random.choice(AREAS)}",
            name="/enrolments/[id]/lke?area",
        )

    @task(1)
    def queue(self) -> None:
        self.client.get("/review/queue", name="/review/queue")

    @task(1)
    def compare(self) -> None:
        self.client.get(f"{self.enrolment}/compare", name="/enrolments/[id]/compare")


class Leadership(_Signed):
    """TPN watching the whole cycle."""

    weight = 1
    username = "tpn"

    def _enrolment_url(self, html: str) -> str:
        return ""

    @task
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="/dashboard")
