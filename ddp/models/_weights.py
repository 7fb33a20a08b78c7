"""torchvision's weight enums by name, and the check that refuses to fetch weights.

ddp never downloads: `weights=` other than None (or the old `pretrained=True`) raises an error that names
the file torchvision would fetch and says how to load it once downloaded. The enums exist so that code
naming `ResNet18_Weights.DEFAULT` still imports and reaches that message.
"""
import enum

__all__ = ["WeightsEnum", "weights_enum", "refuse_weights"]

BASE_URL = "https://download.pytorch.org/models/"


class WeightsEnum(enum.Enum):
    """A model's pretrained weights, named as torchvision names them; the value is the file's name."""

    @property
    def url(self):
        return BASE_URL + self.value

    @classmethod
    def verify(cls, obj):
        """The member that `obj` names (a member, "DEFAULT", "IMAGENET1K_V1", "ResNet18_Weights.DEFAULT"), or None."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            name = obj.replace(cls.__name__ + ".", "")
            if name not in cls.__members__:
                raise ValueError(f"{cls.__name__}: no weights named {obj!r}; expected one of "
                                 f"{', '.join(cls.__members__)}")
            return cls[name]
        raise TypeError(f"Invalid Weights class provided; expected {cls.__name__} but received "
                        f"{type(obj).__name__}.")

    def get_state_dict(self, *args, **kwargs):
        builder = type(self).__name__.removesuffix("_Weights").lower()  # ResNet18_Weights -> resnet18
        raise RuntimeError(_offline_message(self, builder))

    def __repr__(self):
        return f"{type(self).__name__}.{self.name}"


def weights_enum(name, files, default):
    """A WeightsEnum subclass: `files` maps member names to file names; DEFAULT aliases `default`."""
    members = list(files.items()) + [("DEFAULT", files[default])]  # an equal value makes DEFAULT an alias
    return WeightsEnum(name, members, module=__name__.rsplit(".", 1)[0])


def _offline_message(weights, builder):
    return (f"ddp.models.{builder}: ddp does not download weights ({weights!r} is {weights.url}). Download the "
            f"file where there is internet, then build the model without weights and load it:\n"
            f"    model = ddp.models.{builder}()\n"
            f"    model.load_state_dict(ddp.load({weights.value!r}))")


def refuse_weights(builder, enum_cls, weights, kwargs):
    """Raise unless no weights are asked for; pops the old API's `pretrained` from `kwargs`."""
    pretrained = kwargs.pop("pretrained", False)
    weights = enum_cls.verify(weights)
    if weights is None and pretrained:
        weights = enum_cls.IMAGENET1K_V1  # what torchvision maps pretrained=True to
    if weights is not None:
        raise RuntimeError(_offline_message(weights, builder))
