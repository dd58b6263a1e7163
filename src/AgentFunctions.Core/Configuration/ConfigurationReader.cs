using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Core.Configuration;

/// <summary>
/// Reads typed values from configuration and collects one message per bad key, so a host
/// can refuse to start with the whole list rather than the first binder exception.
/// </summary>
public sealed class ConfigurationReader
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

    /// <summary>A number within [<paramref name="min"/>, <paramref name="max"/>]; the fallback when absent or wrong.</summary>
    public T Number<T>(IConfigurationSection parent, string key, T fallback, T min, T max)
        where T : struct, INumber<T>
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return fallback;
        }

        var whole = !IsFloatingPoint<T>();
        if (!T.TryParse(section.Value, whole ? NumberStyles.Integer : NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !T.IsFinite(value))
        {
            Problem(section, whole ? $"'{section.Value}' is not a whole number" : $"'{section.Value}' is not a number");
            return fallback;
        }

        if (value < min || value > max)
        {
            Problem(section, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max} (got {value})"));
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

    /// <summary>A number within [<paramref name="min"/>, <paramref name="max"/>], or null when the key is absent (a setting that is off unless set).</summary>
    public T? OptionalNumber<T>(IConfigurationSection parent, string key, T min, T max)
        where T : struct, INumber<T>
    {
        if (string.IsNullOrWhiteSpace(parent.GetSection(key).Value))
        {
            return null;
        }

        var problems = _problems.Count;
        var value = Number(parent, key, min, min, max);
        return _problems.Count == problems ? value : null;
    }

    /// <summary>
    /// A duration as a number of seconds (<c>60</c>, <c>0.5</c>) or a TimeSpan string (<c>00:01:00</c>). A bare number
    /// is seconds here: TimeSpan would read <c>60</c> as sixty days.
    /// </summary>
    public TimeSpan Duration(IConfigurationSection parent, string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return fallback;
        }

        TimeSpan value;
        if (double.TryParse(section.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && Math.Abs(seconds) < 1e9)
        {
            value = System.TimeSpan.FromSeconds(seconds);
        }
        else if (!System.TimeSpan.TryParse(section.Value, CultureInfo.InvariantCulture, out value))
        {
            Problem(section, $"'{section.Value}' is not a duration: a number of seconds such as 30, or a TimeSpan such as 00:00:30");
            return fallback;
        }

        if (value < min || value > max)
        {
            Problem(section, $"must be between {min:c} and {max:c} (got {value:c})");
            return fallback;
        }

        return value;
    }

    /// <summary>An enum value by name (case-insensitive); the fallback when absent or unknown.</summary>
    public TEnum Enum<TEnum>(IConfigurationSection parent, string key, TEnum fallback)
        where TEnum : struct, Enum
    {
        var section = parent.GetSection(key);
        if (string.IsNullOrWhiteSpace(section.Value))
        {
            return fallback;
        }

        if (System.Enum.TryParse<TEnum>(section.Value.Trim(), ignoreCase: true, out var value) && System.Enum.IsDefined(value)
            && !section.Value.Trim().All(char.IsAsciiDigit))
        {
            return value;
        }

        Problem(section, $"must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())} (got '{section.Value}')");
        return fallback;
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

    private static bool IsFloatingPoint<T>() =>
        typeof(T).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IFloatingPoint<>));

    /// <summary>An indexed list (<c>Key:0</c>, <c>Key:1</c>, ...) in index order.</summary>
    public static List<IConfigurationSection> Indexed(IConfigurationSection parent, string key) =>
        parent.GetSection(key).GetChildren()
            .OrderBy(child => int.TryParse(child.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) ? index : int.MaxValue)
            .ToList();
}
