using System.Globalization;
using AgentFunctions.Core.Workflow;

namespace AgentQ.Output;

/// <summary>Small formatting helpers shared by the human renderings.</summary>
public static class Fmt
{
    /// <summary>UTC, to the second: <c>2025-01-31 12:00:05Z</c>.</summary>
    public static string Time(DateTimeOffset? at) =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>UTC clock time only: <c>12:00:05</c>.</summary>
    public static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Seconds(double? seconds) => seconds is { } value
        ? value < 90 ? value.ToString("0.#", CultureInfo.InvariantCulture) + "s"
        : value < 5400 ? (value / 60).ToString("0.#", CultureInfo.InvariantCulture) + "m"
        : (value / 3600).ToString("0.#", CultureInfo.InvariantCulture) + "h"
        : "-";

    public static string Milliseconds(double? ms) => ms is { } value ? value.ToString("0", CultureInfo.InvariantCulture) + "ms" : "-";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Names.Of(value);

    /// <summary>One line, at most <paramref name="max"/> characters.</summary>
    public static string Short(string? text, int max = 80)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max - 1), "…");
    }
}
