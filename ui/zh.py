"""Streamlit's own English in Chinese: the texts its widgets write themselves (the uploader's 'Upload', the table
toolbar's tooltips, 'Press Enter to apply' …), which no API option translates in Streamlit 1.67.

What the API allows is done where the widget is made (select_all=False, placeholders, the tables' “—” for empty
cells). For the rest, one small script (st.components.v2, no iframe) watches the page and rewrites, under the default
language only, the exact English strings listed here — text, aria-label, title and placeholder — in Streamlit's
widgets, never inside our own markdown, messages, charts or tables' cells. Switching to English puts the originals back.
tests/test_zh_browser.py checks it in Chromium; the README lists what stays English."""
from __future__ import annotations

import json

import streamlit as st

# Streamlit 1.67's strings (read from its frontend bundle, static/js/*.js), by widget.
EXACT: dict[str, str] = {
    # file uploader
    "Upload": "选择文件", "Upload directories": "选择文件夹", "Add files": "添加文件",
    "Drag and drop files here": "将文件拖放到这里", "Drag and drop a file here": "将文件拖放到这里",
    "Drag and drop directories here": "将文件夹拖放到这里",
    # multiselect and selectbox
    "Select all": "全选", "Clear all": "全部清除", "Clear value": "清除", "No results": "没有匹配的选项",
    "Selected values": "已选", "Open": "展开", "Choose an option": "请选择", "Choose options": "请选择",
    "No options to select": "没有可选的项", "Multiselect options": "选项", "Selectbox options": "选项",
    # text inputs
    "Press Enter to apply": "按回车键确认", "Press Enter to submit form": "按回车键提交",
    "Press ⌘+Enter to apply": "按 ⌘+回车键确认", "Press Ctrl+Enter to apply": "按 Ctrl+回车键确认",
    "Press ⌘+Enter to submit form": "按 ⌘+回车键提交", "Press Ctrl+Enter to submit form": "按 Ctrl+回车键提交",
    "Show password": "显示口令", "Hide password": "隐藏口令", "Clear entry": "清除",
    # element toolbar (tables, charts)
    "Fullscreen": "全屏", "Close fullscreen": "退出全屏",
    # tables: toolbar, search, column menu, statistics
    "Download as CSV": "下载为 CSV", "Search": "搜索", "Show/hide columns": "显示/隐藏列",
    "Type to search": "输入要查找的内容", "Close Search": "关闭搜索", "Next Result": "下一个", "Previous Result": "上一个",
    "Sort ascending": "升序排列", "Sort descending": "降序排列", "Pin column": "固定此列", "Unpin column": "取消固定",
    "Hide column": "隐藏此列", "Autosize": "自动列宽", "Format": "数字格式", "Automatic": "自动", "Localized": "本地格式",
    "Plain": "原样", "Percent": "百分比", "Dollar": "美元", "Euro": "欧元", "Yen": "日元", "Accounting": "会计格式",
    "Compact": "紧凑", "Scientific": "科学计数", "Engineering": "工程计数", "Distance": "距今", "Calendar": "日历",
    "Duration": "时长", "Copy column name": "复制列名", "Rename": "重命名", "Statistics": "统计", "Count": "个数",
    "Distinct": "不同取值", "Empty": "空值", "Minimum": "最小值", "Maximum": "最大值", "Average": "平均值",
    "Median": "中位数", "Sum": "合计", "Standard deviation": "标准差", "25th percentile": "25% 分位数",
    "75th percentile": "75% 分位数", "Based on sample": "基于抽样", "Average length": "平均长度",
    "Minimum length": "最短长度", "Maximum length": "最长长度", "Range": "范围", "Values": "非空值", "Wrap": "自动换行",
    "Visibility": "显示", "Loading...": "加载中……", "No data": "没有数据", "Dataframe column menu": "列菜单",
    "Clear selection": "清除选择", "Distribution histogram": "分布直方图", "Top values frequency chart": "常见取值",
    "True/false distribution chart": "是/否分布",
    # charts
    "Download as PNG": "下载为 PNG 图片", "Show data": "查看数据", "Show chart": "查看图表",
    "Copy Vega-Lite spec": "复制图表定义", "Copied": "已复制",
    # the app's frame
    "Running...": "正在运行……", "Stop": "停止", "Stopping...": "正在停止……", "Rerun": "重新运行",
    "Collapse sidebar": "收起侧栏", "Expand sidebar": "展开侧栏", "Skip to main content": "跳到正文",
    "Main menu": "菜单", "Print": "打印", "Record a screencast": "录制屏幕", "About": "关于", "Settings": "设置",
    "Clear cache": "清除缓存", "Connecting": "正在连接", "Please wait...": "请稍候……", "Connection error": "连接中断",
    "Close": "关闭", "Dismiss": "关闭", "View less": "收起", "Try again": "重试", "Retry": "重试", "Cancel": "取消",
    "Page not found": "页面不存在", "App pages": "页面", "Sidebar": "侧栏",
}
# (regular expression, replacement with $1 …) for strings with a number or a name in them.
PATTERNS: list[tuple[str, str]] = [
    (r"^(\d+(?:\.\d+)?\s*[KMGT]?B) per file$", "每个文件不超过 $1"),
    (r"^• ([A-Z0-9, ]+)$", "· 格式 $1"),   # the uploader's accepted types, a text node of its own
    (r"^Remove (.+)$", "移除“$1”"),
    (r"^Select (\d+) matches$", "选择 $1 个匹配项"),
    (r"^View (\d+) more$", "再显示 $1 个"),
    (r"^Help for (.+)$", "“$1”的说明"),
]

_JS = """
export default function(component) {
  const on = (component.data || {}).lang !== 'en';
  const ZH = window.__kpmZh || (window.__kpmZh = { exact: new Map(Object.entries(EXACT)),
    patterns: PATTERNS.map(([re, to]) => [new RegExp(re), to]), touched: [], observer: null });
  // Our own content is never touched (a widget's label is ours too, but Chinese: it cannot match).
  const OURS = '[data-testid="stMarkdown"], [data-testid="stCaptionContainer"], [data-testid="stAlert"], ' +
               '[data-testid="stHeading"], [data-testid="stCode"], [data-testid="stText"], .vega-embed svg';
  const ATTRS = ['aria-label', 'title', 'placeholder'];
  const zh = (s) => {
    if (!s) return null;
    const text = s.trim();
    if (ZH.exact.has(text)) return s.replace(text, ZH.exact.get(text));
    for (const [re, to] of ZH.patterns) {
      const m = text.match(re);
      if (m) return s.replace(text, to.replace(/\\$(\\d)/g, (_, i) => m[+i].replace(/, /g, '、')));
    }
    return null;
  };
  const remember = (node, attr, orig, now) => {
    ZH.touched.push({ ref: new WeakRef(node), attr, orig, now });
    if (ZH.touched.length > 4000) ZH.touched = ZH.touched.filter((t) => t.ref.deref()?.isConnected);
  };
  const ours = (el) => el && el.closest && el.closest(OURS);
  const text = (node) => {
    const el = node.parentElement;
    if (!el || ours(el) || el.closest('script, style')) return;
    const to = zh(node.nodeValue);
    if (to !== null && to !== node.nodeValue) { remember(node, null, node.nodeValue, to); node.nodeValue = to; }
  };
  const attrs = (el) => {
    if (el.nodeType !== 1 || ours(el)) return;
    for (const a of ATTRS) {
      const v = el.getAttribute(a);
      const to = zh(v);
      if (to !== null && to !== v) { remember(el, a, v, to); el.setAttribute(a, to); }
    }
  };
  const walk = (root) => {
    if (root.nodeType === 3) { text(root); return; }
    if (root.nodeType !== 1) return;
    attrs(root);
    root.querySelectorAll('[aria-label], [title], [placeholder]').forEach(attrs);
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) text(n);
  };
  if (on && !ZH.observer) {
    ZH.observer = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'childList') r.addedNodes.forEach(walk);
        else if (r.type === 'characterData') text(r.target);
        else if (r.type === 'attributes') attrs(r.target);
      }
    });
    ZH.observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true,
                                         attributeFilter: ATTRS });
    walk(document.body);
  } else if (!on && ZH.observer) {   // English: stop, and put back what is still ours
    ZH.observer.disconnect();
    ZH.observer = null;
    for (const t of ZH.touched.reverse()) {
      const node = t.ref.deref();
      if (!node) continue;
      if (t.attr === null && node.nodeValue === t.now) node.nodeValue = t.orig;
      else if (t.attr !== null && node.getAttribute(t.attr) === t.now) node.setAttribute(t.attr, t.orig);
    }
    ZH.touched = [];
  }
}
""".replace("EXACT", json.dumps(EXACT, ensure_ascii=False)).replace("PATTERNS", json.dumps(PATTERNS))

_component = st.components.v2.component("kpm_zh", js=_JS)
# The component draws nothing; its (empty) element must not add a gap at the bottom of the sidebar.
CSS = ".st-key-kpm_zh, [class*='st-key-kpm_zh'] {display: none !important;}"


def streamlit_in_chinese(lang: str) -> None:
    """Mount the rewriting script (once per page; desk mode, in the sidebar); `lang` 'en' puts the originals back."""
    with st.sidebar:
        try:
            _component(key="kpm_zh", data={"lang": lang}, height=0)
        except Exception:  # noqa: BLE001 - a translation must never take a page down
            pass
