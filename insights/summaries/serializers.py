"""The preview's response shape."""

from __future__ import annotations

from rest_framework import serializers


class SummaryPreviewSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="The local Monday that begins the week summarised.")
    week_end = serializers.DateField(help_text="The local Sunday that ends it.")
    subject = serializers.CharField()
    text = serializers.CharField(help_text="The plain-text part, exactly as sent.")
    html = serializers.CharField(
        help_text="The HTML part, exactly as sent; the chart is referenced as cid:<chart_cid>."
    )
    chart_cid = serializers.CharField(help_text="The Content-ID of the chart image the HTML refers to.")
    chart_png_base64 = serializers.CharField(help_text="The chart image (PNG, 600x200), base64-encoded.")
