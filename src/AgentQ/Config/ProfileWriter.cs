using System.Text.Json;
using System.Text.Json.Nodes;
using AgentQ.Cli;

namespace AgentQ.Config;

/// <summary>
/// Writes one profile into <c>~/.agentq/config.json</c> (0600), keeping every other profile and field as it was; the
/// first profile written becomes the default. Writing the same profile twice changes nothing.
/// </summary>
public static class ProfileWriter
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="url"/> and <paramref name="key"/> (null: no key); true when it became the default.</summary>
    public static bool Save(string path, string name, string url, string? key)
    {
        var root = Load(path);
        if (root["profiles"] is not JsonObject profiles)
        {
            profiles = [];
            root["profiles"] = profiles;
        }

        if (profiles[name] is not JsonObject profile)
        {
            profile = [];
            profiles[name] = profile;
        }

        profile["url"] = url;
        if (key is null)
        {
            profile.Remove("key");
        }
        else
        {
            profile["key"] = key;
        }

        var madeDefault = string.IsNullOrWhiteSpace(Text(root["defaultProfile"]));
        if (madeDefault)
        {
            root["defaultProfile"] = name;
        }

        PrivateFile.Write(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return madeDefault;
    }

    /// <summary>The profile already saved under <paramref name="name"/>, if any.</summary>
    public static CliProfile? Find(string path, string name) =>
        Load(path)["profiles"] is JsonObject profiles && profiles[name] is JsonObject profile
            ? new CliProfile { Url = Text(profile["url"]), Key = Text(profile["key"]) }
            : null;

    /// <summary>The name of the default profile, if the file names one.</summary>
    public static string? DefaultName(string path) => Text(Load(path)["defaultProfile"]);

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonObject Load(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw CliException.Usage($"{path} is not a JSON object; fix or remove it, then run agentq init again");
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"{path} is not valid JSON ({ex.Message}); fix or remove it, then run agentq init again");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Error, $"cannot read {path}: {ex.Message}");
        }
    }
}
