"""Request and response models, one module per resource, one model per direction.

``ask`` (asking, searching, the admin 命中测试), ``documents`` (members' reading), ``admin_documents``
(uploads, catalog, versions), ``feedback`` (votes and the admin review), ``quiz``, ``users`` (login),
``jobs`` (jobs and the audit log), ``health``; ``common`` holds the passage fields several share.
Limits a deployment sets are read from the app's settings at request time (``limits``), never fixed here.
"""
