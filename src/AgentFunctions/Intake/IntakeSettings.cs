using System.Globalization;
using System.Text.Json;
using AgentFunctions.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Intake;

/// <summary>
/// What the intake needs to know of the queue trigger's configuration, which the Functions host (not this worker)
/// applies: how often a message is tried before the runtime moves it to the poison queue.
/// </summary>
public sealed record IntakeSettings(int MaxDequeueCount)
{
    /// <summary>The app setting with which the host overrides host.json (<c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c>).</summary>
    public const string MaxDequeueCountKey = "AzureFunctionsJobHost:extensions:queues:maxDequeueCount";

    /// <summary>The Storage Queues extension's own default.</summary>
    public const int DefaultMaxDequeueCount = 5;

    /// <summary>
    /// The app setting when there is one (it wins over host.json in the host too), else
    /// <c>extensions.queues.maxDequeueCount</c> of the host.json at <paramref name="hostJsonPath"/>, else 5.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The value is not a whole number of at least 1.</exception>
    public static IntakeSettings Load(IConfiguration configuration, string? hostJsonPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[MaxDequeueCountKey] is { } setting)
        {
            return new IntakeSettings(Parse(setting, MaxDequeueCountKey));
        }

        return new IntakeSettings(ReadHostJson(hostJsonPath) is { } fromFile ? Parse(fromFile, "host.json extensions.queues.maxDequeueCount") : DefaultMaxDequeueCount);
    }

    private static int Parse(string value, string key) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count >= 1
            ? count
            : throw new InvalidConfigurationException($"{key}: '{value}' is not a whole number of at least 1");

    private static string? ReadHostJson(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var node = document.RootElement;
        foreach (var name in new[] { "extensions", "queues", "maxDequeueCount" })
        {
            // The host reads host.json keys without regard to case.
            if (node.ValueKind != JsonValueKind.Object || Child(node, name) is not { } child)
            {
                return null;
            }

            node = child;
        }

        return node.ValueKind is JsonValueKind.Number or JsonValueKind.String ? node.ToString() : null;
    }

    private static JsonElement? Child(JsonElement node, string name)
    {
        foreach (var property in node.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
