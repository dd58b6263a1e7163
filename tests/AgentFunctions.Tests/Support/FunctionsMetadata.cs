using System.Reflection;
using System.Text.Json;

namespace AgentFunctions.Tests.Support;

/// <summary>The functions.metadata that the Worker SDK wrote into the Functions app's build output.</summary>
internal static class FunctionsMetadata
{
    /// <summary>The app's own output folder (the project file writes it into this assembly at build time).</summary>
    public static string OutputDirectory { get; } = typeof(FunctionsMetadata).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AgentFunctionsOutputDirectory").Value!;

    public static IReadOnlyList<Function> Read()
    {
        var path = Path.Combine(OutputDirectory, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Worker SDK did not generate {path}; build src/AgentFunctions first.", path);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().Select(Function.From).ToList();
    }

    internal sealed record Function(string Name, IReadOnlyList<JsonElement> Bindings)
    {
        public JsonElement Trigger => Bindings.Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

        public string? Route => Trigger.TryGetProperty("route", out var route) ? route.GetString() : null;

        public IReadOnlyList<string> Methods => Trigger.TryGetProperty("methods", out var methods)
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList()
            : [];

        public static Function From(JsonElement element) => new(
            element.GetProperty("name").GetString()!,
            element.GetProperty("bindings").EnumerateArray().Select(b => b.Clone()).ToList());
    }
}
