"""The process's own documents (issue 16 §5): the LKE as PDF, the TPI's and TPN's evaluation
reports (LHE), the agency's proposal letter and the SPTJM, each frozen with the snapshot of its
step, rendered once with WeasyPrint, and the signed scans uploaded back onto the step."""
