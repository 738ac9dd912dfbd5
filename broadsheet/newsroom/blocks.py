from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("attribution"), required=False)

    class Meta:
        icon = "openquote"
        template = "newsroom/blocks/pull_quote.html"


class BodyImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False)
    credit = blocks.CharBlock(label=_("credit"), required=False)

    class Meta:
        icon = "image"
        template = "newsroom/blocks/image.html"


class RelatedCardBlock(blocks.StructBlock):
    article = blocks.PageChooserBlock(label=_("article"), page_type="newsroom.ArticlePage")

    class Meta:
        icon = "link"
        template = "newsroom/blocks/related_card.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("paragraph"), features=["bold", "italic", "link", "ol", "ul"]
    )
    subhead = blocks.CharBlock(
        label=_("subhead"), form_classname="title", template="newsroom/blocks/subhead.html"
    )
    pull_quote = PullQuoteBlock(label=_("pull quote"))
    image = BodyImageBlock(label=_("image"))
    embed = EmbedBlock(label=_("embed"), template="newsroom/blocks/embed.html")
    related_card = RelatedCardBlock(label=_("related article"))
