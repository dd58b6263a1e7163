using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Core.Roles;

/// <summary>
/// Reads typed values from configuration and collects one message per bad key, so a host
/// can refuse to start with the whole list rather than the first binder exception.
/// </summary>
internal sealed class ConfigurationReader
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public void Problem(IConfigurationSection section, string message) => _problems.Add($"{section.Path}: {message}");

    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
        {
            throw new InvalidConfigurationException(_problems.ToArray());
        }
    }

    public string? String(IConfigurationSection parent, string key)
    {
        var value = parent[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public int Int(IConfigurationSection parent, string key, int fallback, int min, int max)
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return fallback;
        }

        if (!int.TryParse(section.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Problem(section, $"'{section.Value}' is not a whole number");
            return fallback;
        }

        if (value < min || value > max)
        {
            Problem(section, $"must be between {min} and {max} (got {value})");
            return fallback;
        }

        return value;
    }

    public long Long(IConfigurationSection parent, string key, long fallback, long min, long max)
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return fallback;
        }

        if (!long.TryParse(section.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Problem(section, $"'{section.Value}' is not a whole number");
            return fallback;
        }

        if (value < min || value > max)
        {
            Problem(section, $"must be between {min} and {max} (got {value})");
            return fallback;
        }

        return value;
    }

    public double Double(IConfigurationSection parent, string key, double fallback, double min, double max)
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return fallback;
        }

        if (!double.TryParse(section.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Problem(section, $"'{section.Value}' is not a number");
            return fallback;
        }

        if (value < min || value > max)
        {
            Problem(section, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)} (got {value.ToString(CultureInfo.InvariantCulture)})");
            return fallback;
        }

        return value;
    }

    public bool Bool(IConfigurationSection parent, string key, bool fallback)
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return fallback;
        }

        if (!bool.TryParse(section.Value, out var value))
        {
            Problem(section, $"'{section.Value}' is not true or false");
            return fallback;
        }

        return value;
    }

    /// <summary>A TimeSpan string such as <c>00:00:02</c>.</summary>
    public TimeSpan TimeSpan(IConfigurationSection parent, string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return fallback;
        }

        if (!System.TimeSpan.TryParse(section.Value, CultureInfo.InvariantCulture, out var value))
        {
            Problem(section, $"'{section.Value}' is not a duration such as 00:00:02");
            return fallback;
        }

        if (value < min || value > max)
        {
            Problem(section, $"must be between {min:c} and {max:c} (got {value:c})");
            return fallback;
        }

        return value;
    }

    public Uri? AbsoluteHttpUri(IConfigurationSection parent, string key)
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return null;
        }

        if (!Uri.TryCreate(section.Value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Problem(section, $"'{section.Value}' is not an absolute http(s) URL");
            return null;
        }

        return uri;
    }

    /// <summary>An indexed list (<c>Key:0</c>, <c>Key:1</c>, ...) in index order.</summary>
    public static List<IConfigurationSection> Indexed(IConfigurationSection parent, string key) =>
        parent.GetSection(key).GetChildren()
            .OrderBy(child => int.TryParse(child.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) ? index : int.MaxValue)
            .ToList();
}
