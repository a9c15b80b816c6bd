"""The WSGI module gunicorn serves."""

from __future__ import annotations

import gc


def test_wsgi_freezes_startup_objects_so_full_collections_stay_short():
    from aftersales import wsgi

    assert wsgi.freeze_startup_objects() > 10_000
    assert gc.get_freeze_count() > 10_000
    assert callable(wsgi.application)
    gc.unfreeze()
