"""Staff pages for campaigns: the list, settings, texts in each language, and targets."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from petition.campaigns import embedding, services, targets
from petition.extensions import db
from petition.i18n import LANGUAGES, RIGHT_TO_LEFT, letter_language_names
from petition.models import Campaign, CampaignStatus
from petition.staff.blueprint import bp, commit_if_changed
from petition.staff.campaigns.forms import (
    CampaignSettingsForm,
    CampaignTextForm,
    EmbeddingForm,
    NewCampaignForm,
    ScheduleForm,
    TargetLinkForm,
)
from petition.staff.permissions import Permission, require


def _schedule(form: ScheduleForm) -> services.Schedule:
    return services.Schedule(
        opens_on=form.opens_on.data, last_day=form.last_day.data, goal=form.goal.data
    )


def _slug_error(error: Exception) -> str:
    if isinstance(error, services.SlugTaken):
        return _("Another campaign already uses this web address name. Please choose another.")
    if isinstance(error, services.SlugLocked):
        return _("The web address name cannot change once the campaign has opened.")
    return _("This web address name is reserved or not allowed. Please choose another.")


def _show_refusal(form: CampaignSettingsForm, error: services.SettingsRefused) -> None:
    """Put the reason the settings were refused under the field it is about."""
    if isinstance(error, services.StatusChangeNotAllowed):
        form.status.errors = [_("The campaign cannot go to that status from where it is.")]
    elif isinstance(error, services.CampaignNotReady):
        form.status.errors = [_("Please write the English text before opening the campaign.")]
    elif isinstance(error, services.CampaignHasNoCustodian):
        form.status.errors = [
            _(
                "The campaign cannot open before it has a custodian key: run “flask --app "
                "petition keys new %(slug)s --identity-out FILE”, then keep FILE off the server.",
                slug=form.slug.data,
            )
        ]
    else:
        form.slug.errors = [_slug_error(error)]


@bp.get("/campaigns")
@require(Permission.EDIT_CAMPAIGNS)
def campaigns() -> ResponseReturnValue:
    return render_template(
        "staff/campaigns/list.html",
        campaigns=services.list_campaigns(),
        languages=letter_language_names(),
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def campaign_new() -> ResponseReturnValue:
    form = NewCampaignForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/campaigns/new.html", form=form), status
    try:
        campaign = services.create_campaign(form.slug.data, _schedule(form), actor=current_user)
    except (services.SlugInvalid, services.SlugTaken) as error:
        form.slug.errors = [_slug_error(error)]
        return render_template("staff/campaigns/new.html", form=form), 422
    db.session.commit()
    flash(_("The campaign is created as a draft. Now write its English text."), "success")
    return redirect(url_for("staff.campaign_text", campaign_id=campaign.id, lang="en"))


def _settings(campaign: Campaign, form: CampaignSettingsForm) -> services.Settings:
    """What the form asks for; a campaign past draft keeps its slug (the form has none)."""
    slug = form.slug.data if "slug" in form else campaign.slug
    return services.Settings(slug, CampaignStatus(form.status.data), _schedule(form))


def _settings_form(campaign: Campaign, **kwargs: Any) -> CampaignSettingsForm:
    """The settings form, filled in with the campaign's current settings."""
    schedule = services.schedule_of(campaign)
    return CampaignSettingsForm(
        campaign,
        **kwargs,
        slug=campaign.slug,
        status=campaign.status.value,
        opens_on=schedule.opens_on,
        last_day=schedule.last_day,
        goal=schedule.goal,
    )


def _edit_page(
    campaign: Campaign,
    form: CampaignSettingsForm,
    link_form: TargetLinkForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if link_form is None:
        link_form = TargetLinkForm(formdata=None)
    link_form.target_id.choices = [
        SelectChoice(target.id, target.name) for target in targets.attachable_targets(campaign)
    ]
    page = render_template(
        "staff/campaigns/edit.html",
        campaign=campaign,
        form=form,
        link_form=link_form,
        languages=letter_language_names(),
        site_languages=LANGUAGES,
        required_lang=services.REQUIRED_LANG,
    )
    return page, status


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def campaign_edit(campaign_id: int) -> ResponseReturnValue:
    campaign = services.get_campaign(campaign_id)
    form = _settings_form(campaign)
    if not form.validate_on_submit():
        return _edit_page(campaign, form, status=422 if form.is_submitted() else 200)
    try:
        changed = services.update_campaign(campaign, _settings(campaign, form), actor=current_user)
    except services.SettingsRefused as error:
        _show_refusal(form, error)
        return _edit_page(campaign, form, status=422)
    saved = _("The campaign settings are saved.")
    commit_if_changed(changed, saved)
    return redirect(url_for("staff.campaign_edit", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/embedding", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def campaign_embedding(campaign_id: int) -> ResponseReturnValue:
    campaign = services.get_campaign(campaign_id)
    form = EmbeddingForm(origins="\n".join(embedding.embed_origins(campaign)))
    if not form.validate_on_submit():
        page = render_template(
            "staff/campaigns/embedding.html",
            campaign=campaign,
            form=form,
            languages=letter_language_names(),
        )
        return page, 422 if form.is_submitted() else 200
    changed = embedding.set_embed_origins(campaign, form.parsed, actor=current_user)
    commit_if_changed(changed, _("Saved. Only the sites listed can show the signing form."))
    return redirect(url_for("staff.campaign_embedding", campaign_id=campaign.id))


def _text_form(campaign: Campaign, lang: str) -> CampaignTextForm:
    current = services.text_fields(campaign, lang)
    if current is None:
        return CampaignTextForm(lang, rtl=lang in RIGHT_TO_LEFT)
    return CampaignTextForm(
        lang,
        rtl=lang in RIGHT_TO_LEFT,
        title=current.title,
        summary=current.summary,
        statement=current.statement,
        demands=current.demands,
    )


def _text_fields(form: CampaignTextForm) -> services.TextFields:
    return services.TextFields(
        title=form.title.data,
        summary=form.summary.data,
        statement=form.statement.data,
        demands=form.demands.data,
    )


def _text_page(
    campaign: Campaign,
    lang: str,
    form: CampaignTextForm,
    *,
    preview: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    page = render_template(
        "staff/campaigns/text.html",
        campaign=campaign,
        lang=lang,
        language=letter_language_names()[lang],
        languages=letter_language_names(),
        site_languages=LANGUAGES,
        form=form,
        preview=preview,
        versions=services.text_versions(campaign, lang),
    )
    return page, status


@bp.route("/campaigns/<int:campaign_id>/text/<lang>", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def campaign_text(campaign_id: int, lang: str) -> ResponseReturnValue:
    campaign = services.get_campaign(campaign_id)
    services.check_lang(lang)
    form = _text_form(campaign, lang)
    if not form.is_submitted():
        return _text_page(campaign, lang, form)
    valid = form.validate()
    previewing = bool(form.preview.data) and not form.csrf_token.errors
    if previewing or not valid:
        return _text_page(campaign, lang, form, preview=previewing, status=200 if valid else 422)
    changed = services.update_text(campaign, lang, _text_fields(form), actor=current_user)
    saved = _("The %(language)s text is saved.", language=letter_language_names()[lang])
    here = url_for("staff.campaign_text", campaign_id=campaign.id, lang=lang)
    commit_if_changed(changed, saved)
    return redirect(here)


@bp.post("/campaigns/<int:campaign_id>/text/<lang>/preview")
@require(Permission.EDIT_CAMPAIGNS)
def campaign_text_preview(campaign_id: int, lang: str) -> ResponseReturnValue:
    """The preview as an HTML fragment, for the page's optional live-preview script."""
    campaign = services.get_campaign(campaign_id)
    services.check_lang(lang)
    form = CampaignTextForm(lang, rtl=lang in RIGHT_TO_LEFT)
    form.validate()  # fills in the filtered data; errors show on the page when saving
    return render_template("staff/campaigns/_preview.html", form=form, lang=lang, campaign=campaign)


@bp.post("/campaigns/<int:campaign_id>/targets")
@require(Permission.EDIT_CAMPAIGNS)
def campaign_targets(campaign_id: int) -> ResponseReturnValue:
    campaign = services.get_campaign(campaign_id)
    link_form = TargetLinkForm()
    if not link_form.validate_on_submit():
        return _edit_page(campaign, _settings_form(campaign, formdata=None), link_form, status=422)
    target = targets.get_target(link_form.target_id.data)
    if link_form.action.data == "attach":
        changed = targets.attach_target(campaign, target, actor=current_user)
        done = _("%(name)s is now addressed by this campaign.", name=target.name)
    else:
        changed = targets.detach_target(campaign, target, actor=current_user)
        done = _("%(name)s is no longer addressed by this campaign.", name=target.name)
    here = url_for("staff.campaign_edit", campaign_id=campaign.id, _anchor="targets")
    commit_if_changed(changed, done)
    return redirect(here)
