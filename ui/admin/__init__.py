"""数据管理's screens (pages/admin.py): upload and check, the importer's picker, review, 报送情况 and records, the
bulletin template; `actions` makes every write and its message, `importing` and `submitting` build their frames."""
