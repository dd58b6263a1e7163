using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentQ.Cli;

/// <summary>Durations as people write them: <c>90</c> (seconds), <c>45s</c>, <c>30m</c>, <c>4h</c>, <c>1h30m</c>, <c>2d</c>.</summary>
public static partial class DurationText
{
    /// <summary>The duration, or null when <paramref name="text"/> is not one.</summary>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var plain))
        {
            return plain <= int.MaxValue ? TimeSpan.FromSeconds(plain) : null;
        }

        var match = Units().Match(trimmed);
        if (!match.Success)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value[^1];
            if (!int.TryParse(part.Value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                return null;
            }

            total += unit switch
            {
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                'm' => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
        }

        return total;
    }

    [GeneratedRegex(@"^(?<part>\d{1,9}[dhms])+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Units();
}
