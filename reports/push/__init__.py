"""The month's brief as a picture and 催报, pushed to 钉钉 / 企业微信 group robots (python -m reports push)."""
