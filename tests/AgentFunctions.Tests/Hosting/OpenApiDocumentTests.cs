using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentFunctions.Api.OpenApi;
using Json.Schema;

namespace AgentFunctions.Tests.Hosting;

/// <summary>
/// The OpenAPI document both hosts serve (GET /api/openapi.json): it lists exactly the routes they serve, and every
/// example body of docs/api.md is valid against its schemas (checked with JsonSchema.Net, JSON Schema 2020-12, which
/// OpenAPI 3.1 schemas are; the examples are held to the documented properties only, so a renamed field shows).
/// </summary>
public sealed partial class OpenApiDocumentTests
{
    [Fact]
    public async Task The_document_lists_exactly_the_routes_both_hosts_serve()
    {
        var document = await DocumentAsync();
        var described = ((JsonObject)document["paths"]!)
            .SelectMany(path => ((JsonObject)path.Value!).Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key.TrimStart('/')}"))
            .ToHashSet(StringComparer.Ordinal);

        // The Standalone server's GET / only redirects a browser to the dashboard; it is not part of the API.
        var standalone = (await HostRouteParityTests.StandaloneRoutesAsync()).Where(r => r != HostRouteParityTests.StandaloneRootRedirect)
            .Select(Plain).ToHashSet(StringComparer.Ordinal);
        var functions = HostRouteParityTests.FunctionsRoutes().Select(Plain)
            .Concat(standalone.Where(r => r.Contains(" " + HostRouteParityTests.DurableWebhooks, StringComparison.Ordinal))) // served natively by Functions
            .ToHashSet(StringComparer.Ordinal);

        Assert.Equal(standalone.Order(StringComparer.Ordinal), described.Order(StringComparer.Ordinal));
        Assert.Equal(functions.Order(StringComparer.Ordinal), described.Order(StringComparer.Ordinal));
        Assert.Contains("GET api/openapi.json", described);
    }

    [Fact]
    public async Task Every_operation_names_its_answers_and_the_key_it_needs()
    {
        var document = await DocumentAsync();
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("x-functions-key", schemes["functionKey"]!["name"]!.GetValue<string>());
        Assert.Equal("header", schemes["functionKey"]!["in"]!.GetValue<string>());

        foreach (var (path, item) in (JsonObject)document["paths"]!)
        {
            foreach (var (method, operation) in (JsonObject)item!)
            {
                var name = $"{method.ToUpperInvariant()} {path}";
                var responses = (JsonObject)operation!["responses"]!;
                Assert.True(responses.Any(r => r.Key.StartsWith('2')), $"{name} names no success answer");
                Assert.True(responses["500"]?["content"]?["application/problem+json"] is not null, $"{name} names no problem+json answer");
                var anonymous = path is "/api/health" or "/api/openapi.json" || path.StartsWith("/api/dashboard", StringComparison.Ordinal);
                Assert.True(anonymous == (operation["security"]!.AsArray().Count == 0), $"{name}: needs a key: {!anonymous}");
            }
        }

        var submit = document["paths"]!["/api/tasks"]!["post"]!;
        Assert.Equal("#/components/schemas/TaskSpec", submit["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/ManagementPayload", submit["responses"]!["202"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Contains(document["paths"]!["/api/tasks"]!["get"]!["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "continuationToken");
    }

    [Fact]
    public async Task Every_example_body_in_the_api_docs_validates_against_the_document()
    {
        var document = await DocumentAsync();
        var examples = Examples(File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "api.md")));
        Assert.True(examples.Count >= 10, $"only {examples.Count} examples found in docs/api.md");

        var problems = new List<string>();
        foreach (var example in examples)
        {
            var schema = SchemaFor(document, example);
            if (schema is null)
            {
                problems.Add($"line {example.Line}: the document has no JSON body for {example.Method} {example.Path} {example.Body}");
                continue;
            }

            using var instance = System.Text.Json.JsonDocument.Parse(example.Json);
            var result = Strict(document, schema).Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
                problems.Add($"line {example.Line}: {example.Method} {example.Path} {example.Body}: {string.Join("; ", errors)}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await new ApiDocument().GetJsonAsync())!;

    /// <summary>A route as the document writes it: a catch-all parameter is a plain one there.</summary>
    private static string Plain(string route) => route.Replace("{*", "{", StringComparison.Ordinal);

    private static JsonNode? SchemaFor(JsonNode document, Example example)
    {
        var operation = document["paths"]?[example.Path]?[example.Method.ToLowerInvariant()];
        var content = example.Body == "request" ? operation?["requestBody"]?["content"] : operation?["responses"]?[example.Body]?["content"];
        return (content?["application/json"] ?? content?["application/problem+json"])?["schema"];
    }

    /// <summary>
    /// The schema as a 2020-12 document with the components as <c>$defs</c>; objects admit only the properties they
    /// document (the API itself ignores unknown fields, but an example must not carry one).
    /// </summary>
    private static JsonSchema Strict(JsonNode document, JsonNode schema)
    {
        var definitions = document["components"]!["schemas"]!.DeepClone();
        foreach (var node in Descendants(definitions).Append(definitions).OfType<JsonObject>())
        {
            if (node["properties"] is JsonObject && node["additionalProperties"] is null)
            {
                node["additionalProperties"] = false;
            }
        }

        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = definitions,
            ["allOf"] = new JsonArray(schema.DeepClone()),
        };
        return JsonSchema.FromText(root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node) => node switch
    {
        JsonObject o => o.Select(p => p.Value).OfType<JsonNode>().SelectMany(child => Descendants(child).Prepend(child)),
        JsonArray a => a.OfType<JsonNode>().SelectMany(child => Descendants(child).Prepend(child)),
        _ => [],
    };

    /// <summary>Every ```json block of the page, each with the marker before it that says what it is an example of.</summary>
    private static List<Example> Examples(string[] lines)
    {
        var examples = new List<Example>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```json")
            {
                continue;
            }

            var marker = Marker().Match(lines.Take(i).LastOrDefault(l => l.Trim().Length > 0) ?? string.Empty);
            Assert.True(marker.Success, $"docs/api.md line {i + 1}: a JSON block needs a marker before it, such as <!-- example: POST /api/tasks request -->");
            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            examples.Add(new Example(i + 1, marker.Groups[1].Value, marker.Groups[2].Value, marker.Groups[3].Value, string.Join('\n', lines[(i + 1)..end])));
            i = end;
        }

        return examples;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentFunctions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("AgentFunctions.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"^\s*<!-- example: (GET|POST|DELETE) (\S+) (request|\d{3}) -->\s*$")]
    private static partial Regex Marker();

    private sealed record Example(int Line, string Method, string Path, string Body, string Json);
}
