"""Resolves template.yaml's intrinsics (!Ref, !Sub, !Join) to what they mean in the local stack.

`tooling.template` reads the template without resolving anything; this module gives the values:
parameters resolve to their defaults, pseudo parameters to a fixed local account and region,
and resources to the physical ids the stack created for them (a table's name, a topic's ARN).
A reference the local stack has no stand-in for is an error at start-up, never a silent blank.
"""

from __future__ import annotations

import re
from typing import Any

from tooling.template import Tag, load_template

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account: ARNs the stack builds match the ones moto returns
STACK_NAME = "mentor-booking-local"

PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::StackName": STACK_NAME,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class UnresolvableIntrinsic(ValueError):
    pass


class Resolver:
    """Resolves intrinsics against the template's parameter defaults and the local physical ids."""

    def __init__(self, template: dict | None = None, physical_ids: dict[str, str] | None = None):
        self._template = template or load_template()
        self._physical_ids: dict[str, str] = dict(physical_ids or {})

    def bind(self, logical_id: str, physical_id: str) -> None:
        """Record what a resource is locally (what `!Ref <logical_id>` returns)."""
        self._physical_ids[logical_id] = physical_id

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Tag):
            return self._resolve_tag(value)
        if isinstance(value, dict) and len(value) == 1:
            (key,) = value
            if key == "Ref" or key.startswith("Fn::"):
                return self._resolve_tag(Tag(key.removeprefix("Fn::"), value[key]))
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def resolve_string(self, value: Any, where: str) -> str:
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, (str, int, float)):
            return str(resolved)
        raise UnresolvableIntrinsic(f"{where}: resolves to {resolved!r}, not a string")

    def _resolve_tag(self, tag: Tag) -> Any:
        if tag.name == "Ref":
            return self._ref(tag.value)
        if tag.name == "Sub":
            return self._sub(tag.value)
        if tag.name == "Join":
            separator, items = tag.value
            return separator.join(self.resolve_string(item, "!Join") for item in self.resolve(items))
        if tag.name == "If":
            condition, when_true, when_false = tag.value
            return self.resolve(when_true if self.condition(condition) else when_false)
        if tag.name == "Equals":
            left, right = (self.resolve_string(item, "!Equals") for item in tag.value)
            return left == right
        if tag.name == "Not":
            return not self._truth(tag.value[0])
        if tag.name in ("And", "Or"):
            results = [self._truth(item) for item in tag.value]
            return all(results) if tag.name == "And" else any(results)
        raise UnresolvableIntrinsic(
            f"!{tag.name} {tag.value!r} has no local meaning; the local stack resolves !Ref, !Sub, !Join, !If"
        )

    def condition(self, name: str) -> bool:
        """A template condition, evaluated against the parameter defaults."""
        conditions = self._template.get("Conditions") or {}
        if name not in conditions:
            raise UnresolvableIntrinsic(f"no condition named {name!r}")
        return self._truth(conditions[name])

    def _truth(self, value: Any) -> bool:
        if isinstance(value, dict) and set(value) == {"Condition"}:
            return self.condition(value["Condition"])
        resolved = self.resolve(value)
        if not isinstance(resolved, bool):
            raise UnresolvableIntrinsic(f"{value!r} is not a condition")
        return resolved

    def _ref(self, name: str) -> Any:
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        parameters = self._template.get("Parameters") or {}
        if name in parameters:
            return self._parameter_default(name, parameters[name])
        if name in self._physical_ids:
            return self._physical_ids[name]
        if name in (self._template.get("Resources") or {}):
            kind = self._template["Resources"][name]["Type"]
            raise UnresolvableIntrinsic(f"!Ref {name} ({kind}) has no local stand-in")
        raise UnresolvableIntrinsic(f"!Ref {name}: no such parameter or resource in the template")

    @staticmethod
    def _parameter_default(name: str, parameter: dict) -> Any:
        if "Default" not in parameter:
            raise UnresolvableIntrinsic(f"parameter {name} has no default: no value to use locally")
        default = parameter["Default"]
        if parameter.get("Type") == "CommaDelimitedList":
            return [item.strip() for item in str(default).split(",") if item.strip()]
        return default

    def _sub(self, value: Any) -> str:
        text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} stands for the text ${Literal}
            if name in variables:
                return self.resolve_string(variables[name], f"!Sub ${{{name}}}")
            if "." in name:
                raise UnresolvableIntrinsic(f"!Sub ${{{name}}}: attributes (GetAtt) have no local meaning")
            return self.resolve_string(self._ref(name), f"!Sub ${{{name}}}")

        return _SUB_VARIABLE.sub(replace, text)
