"""The shapes of the API's answers (and so of its OpenAPI schema). The views build plain
values (presenters.py); these only declare and check them."""

from __future__ import annotations

from rest_framework import serializers


class EditionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The edition's language code, e.g. en-us.")
    name = serializers.CharField()
    tagline = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="The edition's home page on the web.")


class SectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    role = serializers.CharField(allow_blank=True)


class TagSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()


class RenditionSerializer(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ImageSerializer(serializers.Serializer):
    alt = serializers.CharField(allow_blank=True)
    caption = serializers.CharField(allow_blank=True)
    credit = serializers.CharField(allow_blank=True)
    renditions = serializers.DictField(
        child=RenditionSerializer(),
        help_text="By name: thumbnail (320x180), medium (800 wide), large (1600 wide).",
    )


class ArticleSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    headline = serializers.CharField()
    standfirst = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="The article's page on the web.")
    first_published_at = serializers.DateTimeField()
    last_published_at = serializers.DateTimeField()
    access_level = serializers.ChoiceField(choices=["free", "metered", "subscribers"])
    byline = AuthorSerializer(many=True)
    image = ImageSerializer(allow_null=True)


class ArticleListSerializer(serializers.Serializer):
    results = ArticleSummarySerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as ?cursor= for the next (older) page; null at the end."
    )


class TranslationSerializer(serializers.Serializer):
    edition = serializers.CharField()
    id = serializers.IntegerField()
    headline = serializers.CharField()
    url = serializers.CharField()


class ArticleDetailSerializer(ArticleSummarySerializer):
    dateline = serializers.CharField(allow_blank=True)
    updated = serializers.BooleanField(help_text="Changed since it was first published.")
    section = SectionSerializer()
    tags = TagSerializer(many=True)
    related = ArticleSummarySerializer(many=True)
    translations = TranslationSerializer(many=True)
    correction = serializers.CharField(allow_blank=True)
    body_html = serializers.CharField(
        allow_null=True,
        help_text="Free articles only; the body of any other comes from "
        "/api/v1/{edition}/me/articles/{id}/body/ through the access rules.",
    )


class MostViewedSerializer(serializers.Serializer):
    results = ArticleSummarySerializer(many=True)


class SearchSerializer(serializers.Serializer):
    query = serializers.CharField()
    page = serializers.IntegerField()
    results = ArticleSummarySerializer(many=True)
    has_next = serializers.BooleanField()


# The reader's part


class SignInRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    platform = serializers.ChoiceField(
        choices=["iphone", "ipad", "android", "other"],
        default="other",
        help_text="Names the device on the reader's devices page.",
    )


class DeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SignInSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Bearer <token>`; it is shown once."
    )
    device = DeviceSerializer()


class WayOutSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField()


class NoticeSerializer(serializers.Serializer):
    title = serializers.CharField()
    holder = serializers.CharField(help_text="Which device reads now, and when it was active.")
    holder_device = serializers.CharField(allow_blank=True)
    holder_seen_at = serializers.DateTimeField(allow_null=True)
    message = serializers.CharField()
    read_here_label = serializers.CharField()
    ways_out = WayOutSerializer(many=True)


class SharingWarningSerializer(serializers.Serializer):
    title = serializers.CharField()
    message = serializers.CharField()
    flagged_at = serializers.DateTimeField()
    ways_out = WayOutSerializer(many=True)


class MeterSerializer(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField()
    remaining = serializers.IntegerField()
    message = serializers.CharField(allow_blank=True)


class WallSerializer(serializers.Serializer):
    title = serializers.CharField()
    message = serializers.CharField()
    ways_out = WayOutSerializer(many=True)


class SlotSerializer(serializers.Serializer):
    fence = serializers.IntegerField(help_text="Send it back with each heartbeat.")
    heartbeat_seconds = serializers.IntegerField()


class ReadingSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    show = serializers.ChoiceField(
        choices=["body", "registration_wall", "paywall", "device_notice", "meter_unavailable"]
    )
    body_html = serializers.CharField(allow_null=True)
    meter = MeterSerializer(allow_null=True)
    slot = SlotSerializer(allow_null=True)
    notice = NoticeSerializer(allow_null=True)
    wall = WallSerializer(allow_null=True)
    sharing_warning = SharingWarningSerializer(allow_null=True)
    installation_id = serializers.CharField(
        allow_null=True,
        help_text="For a reader not signed in: the id to send as Broadsheet-Installation "
        "from now on (one was made if the request had none).",
    )


class HeartbeatRequestSerializer(serializers.Serializer):
    fence = serializers.IntegerField(min_value=0, max_value=2**62)


class HeartbeatSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["reading", "notice", "none"])
    fence = serializers.IntegerField(allow_null=True)
    notice = NoticeSerializer(allow_null=True)
    sharing_warning = SharingWarningSerializer(allow_null=True)


class MeSerializer(serializers.Serializer):
    signed_in = serializers.BooleanField()
    device = DeviceSerializer(allow_null=True)
    subscriber = serializers.BooleanField()
    sharing_warning = SharingWarningSerializer(allow_null=True)
