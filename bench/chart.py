"""The benchmark's chart: what requests cost against how much data the table holds.

Left, the items each route reads at each table size, next to the table's size; right, the
scheduled run's requests and items read against the number of confirmed bookings, next to the
table's size and the reminders waiting in the index. Both axes of both panels are logarithmic,
so a flat line is a cost that does not follow the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen

from bench.reminder_scale import ReminderScaleResult  # noqa: E402
from bench.runner import SizeResult  # noqa: E402


def _routes_panel(axes, results: Sequence[SizeResult]) -> None:
    sizes = [result.size for result in results]
    axes.plot(sizes, sizes, linestyle="--", color="black", label="items in the table (for scale)")
    colours = plt.get_cmap("tab20").colors
    for index, route in enumerate(results[0].costs):
        items_read = [result.costs[route].items_read for result in results]
        axes.plot(sizes, items_read, marker="o", color=colours[index % len(colours)], label=route)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("items in the table")
    axes.set_ylabel("items read by one request")
    axes.set_title("Routes and a scheduled run")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=6, loc="upper left", bbox_to_anchor=(0, -0.14), ncol=2, frameon=False)


def _reminders_panel(axes, results: Sequence[ReminderScaleResult]) -> None:
    bookings = [result.bookings for result in results]
    series = {
        "items in the table": [result.items for result in results],
        "reminders waiting in DueWork": [result.pending_reminders for result in results],
        "requests of the run": [result.run.requests for result in results],
        "items read by the run": [result.run.items_read for result in results],
        "reminders due (sent)": [result.due_reminders for result in results],
    }
    for label, values in series.items():
        axes.plot(bookings, values, marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("confirmed bookings")
    axes.set_title("Reminder run, 5 bookings due")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0, -0.14), frameon=False)


def write_chart(path: Path, routes: Sequence[SizeResult], reminders: Sequence[ReminderScaleResult]) -> None:
    panels = 1 + bool(reminders)
    figure, axes = plt.subplots(1, panels, figsize=(7 * panels, 7.5), squeeze=False)
    _routes_panel(axes[0][0], routes)
    if reminders:
        _reminders_panel(axes[0][1], reminders)
    figure.suptitle("DynamoDB cost against data size (make bench)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
