from datetime import date

import factory

from accounts.models import Membership, User
from participants.models import Participant
from studies.models import Site, Study

PASSWORD = "correct-Horse-2026"


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    code = factory.Sequence(lambda n: f"study{n}")
    title = factory.Sequence(lambda n: f"Study {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    study = factory.SubFactory(StudyFactory)
    code = factory.Sequence(lambda n: f"{n:02d}")
    name = factory.Sequence(lambda n: f"Hospital {n}")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    site = factory.SubFactory(SiteFactory)
    study = factory.SelfAttribute("site.study")
    identifier = factory.Sequence(lambda n: f"P-{n:04d}")
    status = Participant.Status.ENROLLED
    # An enrolled participant has an enrolment date, so the visits on the enrolment anchor are on their
    # schedule (participants.selectors.scheduled_activity); others have none.
    enrolled_on = factory.LazyAttribute(lambda o: date(2026, 1, 5) if o.status == Participant.Status.ENROLLED else None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    study = factory.SubFactory(StudyFactory)
    role = "coordinator"
