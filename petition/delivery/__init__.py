"""Delivery packages: signatory lists addressed to each negotiating party.

`package.build_package` writes one package (letter, annexes, summary, manifest) and
records it; `background` queues packages for the worker to build; `service` is what staff
do to packages (queue, download, record the delivery, word the letter), each action with
its audit event. The modules are kept free of import-time work.

- `records`: what is counted and listed as of a cut-off, streamed from the database
- `annexes`, `summary`, `letters`: the files; `pdf`: fonts and reproducible PDFs
- `richtext`: staff Markdown as blocks; `wording`: the texts in en, uk and ru
"""
