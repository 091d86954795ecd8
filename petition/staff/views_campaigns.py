"""Staff pages for campaigns: the list, settings, texts in each language, and targets."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from petition import audit
from petition.extensions import db
from petition.models import Campaign, CampaignStatus
from petition.staff import campaigns as service
from petition.staff.blueprint import bp
from petition.staff.forms_campaigns import (
    CampaignSettingsForm,
    CampaignTextForm,
    NewCampaignForm,
    ScheduleForm,
    TargetLinkForm,
    language_names,
)
from petition.staff.permissions import Permission, require


def _schedule(form: ScheduleForm) -> service.Schedule:
    return service.Schedule(
        opens_on=form.opens_on.data, last_day=form.last_day.data, goal=form.goal.data
    )


def _slug_error(error: Exception) -> str:
    if isinstance(error, service.SlugTaken):
        return _("Another campaign already uses this web address name. Please choose another.")
    if isinstance(error, service.SlugLocked):
        return _("The web address name cannot change once the campaign has opened.")
    return _("This web address name is reserved or not allowed. Please choose another.")


@bp.get("/campaigns")
@require(Permission.EDIT_CAMPAIGNS)
def campaigns() -> ResponseReturnValue:
    return render_template(
        "staff/campaigns/list.html", campaigns=service.list_campaigns(), languages=language_names()
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def campaign_new() -> ResponseReturnValue:
    form = NewCampaignForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/campaigns/new.html", form=form), status
    try:
        campaign = service.create_campaign(form.slug.data, _schedule(form))
    except (service.SlugInvalid, service.SlugTaken) as error:
        form.slug.errors = [_slug_error(error)]
        return render_template("staff/campaigns/new.html", form=form), 422
    audit.record(
        "campaign.created",
        actor=current_user,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"slug={campaign.slug}",
    )
    db.session.commit()
    flash(_("The campaign is created as a draft. Now write its English text."), "success")
    return redirect(url_for("staff.campaign_text", campaign_id=campaign.id, lang="en"))


def _settings_form(campaign: Campaign, **kwargs: Any) -> CampaignSettingsForm:
    """The settings form, filled in with the campaign's current settings."""
    schedule = service.schedule_of(campaign)
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
        SelectChoice(target.id, target.name) for target in service.attachable_targets(campaign)
    ]
    page = render_template(
        "staff/campaigns/edit.html",
        campaign=campaign,
        form=form,
        link_form=link_form,
        languages=language_names(),
        required_lang=service.REQUIRED_LANG,
    )
    return page, status


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def campaign_edit(campaign_id: int) -> ResponseReturnValue:
    campaign = service.get_campaign(campaign_id)
    form = _settings_form(campaign)
    if not form.validate_on_submit():
        return _edit_page(campaign, form, status=422 if form.is_submitted() else 200)
    slug = form.slug.data if "slug" in form else campaign.slug
    try:
        changed = service.update_campaign(
            campaign, slug=slug, status=CampaignStatus(form.status.data), schedule=_schedule(form)
        )
    except (service.SlugInvalid, service.SlugTaken, service.SlugLocked) as error:
        form.slug.errors = [_slug_error(error)]
        return _edit_page(campaign, form, status=422)
    except service.StatusChangeNotAllowed:
        form.status.errors = [_("The campaign cannot go to that status from where it is.")]
        return _edit_page(campaign, form, status=422)
    except service.CampaignNotReady:
        form.status.errors = [_("Please write the English text before opening the campaign.")]
        return _edit_page(campaign, form, status=422)
    if not changed:
        flash(_("Nothing was changed."), "info")
        return redirect(url_for("staff.campaign_edit", campaign_id=campaign.id))
    audit.record(
        "campaign.updated",
        actor=current_user,
        object_type="campaign",
        object_id=campaign.id,
        detail="; ".join(changed),
    )
    db.session.commit()
    flash(_("The campaign settings are saved."), "success")
    return redirect(url_for("staff.campaign_edit", campaign_id=campaign.id))


def _text_form(campaign: Campaign, lang: str) -> CampaignTextForm:
    current = service.text_fields(campaign, lang)
    if current is None:
        return CampaignTextForm(lang)
    return CampaignTextForm(
        lang,
        title=current.title,
        summary=current.summary,
        statement=current.statement,
        demands=current.demands,
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
        language=language_names()[lang],
        languages=language_names(),
        form=form,
        preview=preview,
        versions=service.text_versions(campaign, lang),
    )
    return page, status


@bp.route("/campaigns/<int:campaign_id>/text/<lang>", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def campaign_text(campaign_id: int, lang: str) -> ResponseReturnValue:
    campaign = service.get_campaign(campaign_id)
    service.check_lang(lang)
    form = _text_form(campaign, lang)
    if not form.is_submitted():
        return _text_page(campaign, lang, form)
    valid = form.validate()
    if form.preview.data and not form.csrf_token.errors:
        return _text_page(campaign, lang, form, preview=True, status=200 if valid else 422)
    if not valid:
        return _text_page(campaign, lang, form, status=422)
    new = service.TextFields(
        title=form.title.data,
        summary=form.summary.data,
        statement=form.statement.data,
        demands=form.demands.data,
    )
    changed = service.update_text(campaign, lang, new, actor=current_user)
    if not changed:
        flash(_("Nothing was changed."), "info")
        return redirect(url_for("staff.campaign_text", campaign_id=campaign.id, lang=lang))
    audit.record(
        "campaign.text_updated",
        actor=current_user,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"lang={lang}; {', '.join(changed)}",
    )
    db.session.commit()
    flash(_("The %(language)s text is saved.", language=language_names()[lang]), "success")
    return redirect(url_for("staff.campaign_text", campaign_id=campaign.id, lang=lang))


@bp.post("/campaigns/<int:campaign_id>/text/<lang>/preview")
@require(Permission.EDIT_CAMPAIGNS)
def campaign_text_preview(campaign_id: int, lang: str) -> ResponseReturnValue:
    """The preview as an HTML fragment, for the page's optional live-preview script."""
    campaign = service.get_campaign(campaign_id)
    service.check_lang(lang)
    form = CampaignTextForm(lang)
    form.validate()  # fills in the filtered data; errors show on the page when saving
    return render_template("staff/campaigns/_preview.html", form=form, lang=lang, campaign=campaign)


@bp.post("/campaigns/<int:campaign_id>/targets")
@require(Permission.EDIT_CAMPAIGNS)
def campaign_targets(campaign_id: int) -> ResponseReturnValue:
    campaign = service.get_campaign(campaign_id)
    link_form = TargetLinkForm()
    if not link_form.validate_on_submit():
        settings = _settings_form(campaign, formdata=None)
        return _edit_page(campaign, settings, link_form, status=422)
    target = service.get_target(link_form.target_id.data)
    if link_form.action.data == "attach":
        changed, action = service.attach_target(campaign, target), "campaign.target_attached"
        done = _("%(name)s is now addressed by this campaign.", name=target.name)
    else:
        changed, action = service.detach_target(campaign, target), "campaign.target_detached"
        done = _("%(name)s is no longer addressed by this campaign.", name=target.name)
    if changed:
        audit.record(
            action,
            actor=current_user,
            object_type="campaign",
            object_id=campaign.id,
            detail=f"target={target.id}",
        )
        db.session.commit()
        flash(done, "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("staff.campaign_edit", campaign_id=campaign.id) + "#targets")
