from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)

    class Meta:
        icon = "openquote"
        template = "newsroom/blocks/pull_quote.html"


class BodyImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False)
    credit = blocks.CharBlock(label=_("Credit"), required=False)

    class Meta:
        icon = "image"
        template = "newsroom/blocks/image.html"


class RelatedCardBlock(blocks.StructBlock):
    article = blocks.PageChooserBlock(label=_("Article"), page_type="newsroom.ArticlePage")

    class Meta:
        icon = "link"
        template = "newsroom/blocks/related_card.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["bold", "italic", "link", "ol", "ul"]
    )
    subhead = blocks.CharBlock(
        label=_("Subhead"), form_classname="title", template="newsroom/blocks/subhead.html"
    )
    pull_quote = PullQuoteBlock(label=_("Pull quote"))
    image = BodyImageBlock(label=_("Image"))
    embed = EmbedBlock(label=_("Embed"), template="newsroom/blocks/embed.html")
    related_card = RelatedCardBlock(label=_("Related article"))
