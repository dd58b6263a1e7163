using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AgentFunctions.Core.Json;

namespace AgentFunctions.Api.Http;

/// <summary>
/// Says which field of a request body had the wrong type, in the contract's words: System.Text.Json names the .NET
/// type it could not convert to (<c>System.Nullable`1[System.Double]</c>), which means nothing to a client.
/// </summary>
public static class JsonTypeErrors
{
    /// <summary>A one-line reason for <paramref name="exception"/>, raised while reading <typeparamref name="T"/>.</summary>
    public static string Describe<T>(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var field = exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        if (!IsGeneric(exception))
        {
            // Our own converters word their errors for clients already.
            var own = exception.Message.Split(" Path: ", 2)[0];
            return field is null ? own : $"{field}: {own}";
        }

        if (field is null)
        {
            return "the body does not have the expected shape";
        }

        return FindType(typeof(T), field) is { } type ? $"{field}: {Expectation(type)}" : $"{field}: has a value of the wrong type";
    }

    /// <summary>The serializer's own message, which names a .NET type.</summary>
    private static bool IsGeneric(JsonException exception) =>
        exception.Message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal)
        || exception.Message.StartsWith("The JSON value is not in a supported", StringComparison.Ordinal)
        || exception.Message.StartsWith("Cannot get the value of a token type", StringComparison.Ordinal);

    /// <summary>Follows a path such as <c>artifacts[0].name</c> through the contract's JSON names.</summary>
    private static Type? FindType(Type root, string path)
    {
        Type? current = root;
        foreach (var segment in path.Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? segment : segment[..bracket];
            var info = CoreJson.Options.GetTypeInfo(current!);
            var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return null;
            }

            current = property.PropertyType;
            for (var index = 0; index < segment.Count(c => c == '[') && current is not null; index++)
            {
                current = ElementType(current);
            }

            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    private static Type? ElementType(Type type) =>
        CoreJson.Options.GetTypeInfo(type) is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element } ? element : null;

    private static string Expectation(Type type)
    {
        var bare = Nullable.GetUnderlyingType(type) ?? type;
        if (bare == typeof(string))
        {
            return "must be a string";
        }

        if (bare == typeof(bool))
        {
            return "must be true or false";
        }

        if (bare.IsEnum)
        {
            var names = Enum.GetValues(bare).Cast<object>().Select(v => JsonSerializer.Serialize(v, bare, CoreJson.Options));
            return $"must be one of {string.Join(", ", names)}";
        }

        if (bare == typeof(int) || bare == typeof(long))
        {
            return "must be a whole number";
        }

        if (bare == typeof(double) || bare == typeof(decimal) || bare == typeof(float))
        {
            return "must be a number";
        }

        if (bare == typeof(DateTimeOffset) || bare == typeof(DateTime))
        {
            return "must be an ISO 8601 date and time";
        }

        return CoreJson.Options.GetTypeInfo(bare).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "must be an array",
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "must be an object",
            _ => "has a value of the wrong type",
        };
    }
}
