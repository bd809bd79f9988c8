"""数据管理's labels for 在线填报 (the reporter's online form) and 年度名单 (the analyst's register), merged into
ADMIN_LABELS (ui/admin/labels.py) and so into ui.i18n's LABELS."""
from __future__ import annotations

FORM_LABELS: dict[str, tuple[str, str]] = {
    # 在线填报 (ui/admin/online_form.py)
    "tab_form": ("在线填报", "Online form"),
    "form_title": ("{m} {unit} 项目进度在线填报", "{unit}: progress form for {m}"),
    "form_from": ("已按{src}预填。", "Prefilled from {src}. "),
    "form_draft": ("这是您保存的草稿（{at} 保存在服务器上，刷新页面或退出登录后仍在）。",
                   "Your saved draft (kept on the server at {at}; it survives a reload and a sign-out). "),
    "form_help": ("只能修改进度各列（本年累计完成投资、建设状态、形象进度、存在问题、本年资金到位、实际开工时间、"
                  "手续办结时间、是否入统）；项目编码、名称和名单属性灰色显示，不能修改。每次修改都自动保存为草稿；"
                  "“检查结果”列与上传台账的检查相同，全部没有错误后即可提交审核。",
                  "Only the progress columns can be edited; codes, names and the register's attributes are greyed. "
                  "Every edit is saved as a draft; the check column is the same check as an upload's. Submit when "
                  "there are no errors."),
    "form_check_col": ("检查结果", "Check"),
    "form_nothing": ("{unit}还没有{y}年度名单，也没有已发布的月份，在线填报无从预填：请在“报送台账”上传本单位的台账，"
                     "或请分析员先导入{y}年度名单。",
                     "{unit} has neither a {y} register nor a published month to prefill from: upload a ledger under "
                     "“Submit a ledger”, or ask an analyst to import the {y} register."),
    "form_passed": ("在线填报检查通过：没有错误，可以提交审核。", "The form passed the check: no errors, ready to submit."),
    "form_refused": ("检查未通过：请按“检查结果”列和下面的错误表修改后再提交。",
                     "The check failed: correct the rows as the check column and the error table say."),
    "form_discard": ("放弃草稿，重新预填", "Discard the draft"),
    "form_submitted": ("已提交 {m} {unit} 的在线填报（{n} 个项目），等待分析员审核。",
                       "Submitted {unit}'s online form for {m} ({n} projects) for review."),
    "form_completions_title": ("表中不填的列从哪里来", "Where the columns the form does not ask for come from"),
    "review_completions": ("报送时缺少的列从哪里来", "Where the columns the report lacked came from"),
    "completions_title": ("文件没有的列从哪里来", "Where the columns the file lacks came from"),
    # 底稿 of a unit with a register (ui/admin/records.py)
    "template_register": ("底稿按{y}年度名单预填（{n} 个项目，名单的项目属性已填好），报送月份已设为 {m}。",
                          "Prefilled from the {y} register ({n} projects, attributes filled in), month set to {m}. "),
    "template_register_last": ("进度各列沿用 {src} 已发布的数据：更新本月进度后上传即可。",
                               "Progress columns from {src}: update them and upload."),
    # 年度名单 (ui/admin/register_panel.py)
    "tab_register": ("年度名单", "Project register"),
    "reg_help": ("年度重点项目名单每年导入一次，按单位（县区或部门）分开保存。年中增补或调出项目：导入该单位完整的新名单并勾选"
                 "“替换”，旧版本存入历史，其他单位不变。先检查、后导入；每次导入都记入操作记录。",
                 "The year's list is imported once and kept per unit. Mid-year additions or removals: import the "
                 "unit's whole new list with Replace (the old version is kept). Check first; every import is logged."),
    "reg_upload": ("上传年度名单（Excel .xlsx/.xls、CSV 或 Parquet）", "Upload the year's list (.xlsx, .xls, .csv, .parquet)"),
    "reg_year": ("名单年度", "Year"),
    "reg_unit": ("单位（可选）", "Unit (optional)"),
    "reg_unit_help": ("整个文件作为该单位的名单；不填则按“县区”列分为各县区的名单。",
                      "The whole file as this unit's list; empty = split by county."),
    "reg_replace": ("替换该单位已有的本年度名单（增补/调出）", "Replace the unit's list of the year (additions/removals)"),
    "reg_replace_help": ("旧版本保存在历史记录中。", "The old version is kept in the history."),
    "reg_passed": ("检查通过，可以导入名单：", "Check passed; ready to import:"),
    "reg_needs_replace": ("名单中的单位本年度已有名单：要增补或调出项目，请勾选“替换”后导入。",
                          "These units already have a list this year: tick Replace to import."),
    "reg_refused": ("检查未通过，不能导入：请按下面的错误修改名单文件后重新上传。库中数据不会改变。",
                    "The check failed; nothing will be stored. Correct the file and upload it again."),
    "reg_confirm": ("确认导入名单", "Import the list"),
    "reg_imported": ("已导入{y}年度名单：{what}", "Imported the {y} list: {what}"),
    "reg_failed": ("导入被拒绝，库中数据未改变：", "The import was refused; the store is unchanged:"),
    "reg_list_year": ("查看年度", "Year shown"),
    "reg_none": ("库中还没有{y}年度名单。", "No list for {y} yet."),
    "reg_summary": ("{y}年度重点项目名单：{u} 个单位，{n} 个项目。", "The {y} list: {u} units, {n} projects."),
    "reg_unit_head": ("{unit} · {n} 项 · 第 {v} 版 · {at} {who} 导入", "{unit} · {n} projects · version {v} · {at} by {who}"),
    "reg_versions": ("版本记录", "Versions"),
}
