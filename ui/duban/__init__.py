"""督办's screens, shared by pages/duban.py: the labels, the desk view (tiles, the unit table, the items and one
item's history), the analyst's actions (交办, review, downloads) and the unit's side (反馈, 申请办结)."""
