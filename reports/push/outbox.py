"""What each platform is sent: the brief (钉钉: one markdown message with the picture by URL; 企业微信: the picture
as an image message, then the markdown summary) and a reminder (one markdown message)."""
from __future__ import annotations

from reports.push import render
from reports.push.brief import Brief, Picture
from reports.push.robots import (WECOM_IMAGE_LIMIT, Message, dingtalk_markdown, join_lines, wecom_image,
                                 wecom_markdown)
from reports.push.targets import Target


def brief_messages(target: Target, brief: Brief, picture: Picture, *, link: str = "", image_url: str = "",
                   pdf_url: str = "", image_limit: int = WECOM_IMAGE_LIMIT) -> list[Message]:
    """The brief's messages for the target's platform. 钉钉's robot takes no uploaded picture: its markdown shows
    one by URL (`image_url`, where our web server serves <store>/briefs/); 企业微信's takes the bytes (≤ 2 MB:
    the PNG, or a JPEG made smaller until it fits). Both get the PDF's link where it is served."""
    lines = brief.summary(link)
    if pdf_url:
        lines.append(f"[{brief.pdf_label}]({pdf_url})")
    if target.kind == "dingtalk":
        if image_url:
            lines.insert(1, f"![{brief.title}]({image_url})")
        return [Message("简报", dingtalk_markdown(brief.title, join_lines(target, lines)))]
    data, fmt = render.fitting(picture.svg, picture.png, image_limit)
    return [Message(f"简报图片（{fmt.upper()}，{len(data) / 1024:,.0f} KB）", wecom_image(data)),
            Message("简报摘要", wecom_markdown(join_lines(target, lines)))]


def text_messages(target: Target, title: str, lines: list[str]) -> list[Message]:
    """A titled markdown message (催报) for the target's platform."""
    text = join_lines(target, [f"### {title}", *lines])
    body = dingtalk_markdown(title, text) if target.kind == "dingtalk" else wecom_markdown(text)
    return [Message(title, body)]
