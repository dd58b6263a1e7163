using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentFunctions.Infra.Tests.Support;

/// <summary>
/// A copy of infra/ in a temporary folder, so the files the CLI writes (.bicepparam, snapshots) and the parameter
/// files a test makes never land in the repository.
/// </summary>
internal sealed class InfraCopy : IDisposable
{
    /// <summary>A subscription and resource group for the local evaluation; nothing is deployed.</summary>
    private static readonly string[] SnapshotScope =
    [
        "--mode", "overwrite",
        "--subscription-id", "00000000-0000-0000-0000-000000000000",
        "--resource-group", "rg-agentfunctions-test",
        "--location", "westeurope",
    ];

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("agentfunctions-infra-");

    public InfraCopy()
    {
        foreach (var file in Directory.EnumerateFiles(BicepCli.InfraDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_root.FullName, Path.GetRelativePath(BicepCli.InfraDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>The sample main.parameters.json, to change before writing it back under another name.</summary>
    public static JsonNode SampleParameters() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "main.parameters.json")))!;

    public string WriteParameters(string name, JsonNode parameters)
    {
        var path = Path.Combine(_root.FullName, name + ".parameters.json");
        File.WriteAllText(path, parameters.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    public Task<BicepRun> RunAsync(params string[] arguments) => BicepCli.RunAsync(_root.FullName, arguments);

    /// <summary>decompile-params of <c>&lt;name&gt;.parameters.json</c> against main.bicep into <c>&lt;name&gt;.bicepparam</c>.</summary>
    public async Task<string> DecompileAsync(string name)
    {
        var bicepparam = name + ".bicepparam";
        var decompiled = await RunAsync("decompile-params", name + ".parameters.json", "--bicep-file", "main.bicep", "--outfile", bicepparam, "--force");
        decompiled.AssertClean();
        return bicepparam;
    }

    public Task<BicepRun> BuildParamsAsync(string bicepparam) => RunAsync("build-params", bicepparam, "--stdout");

    /// <summary>Evaluates the template with the parameters locally (fail() guards included), as a deployment would.</summary>
    public Task<BicepRun> SnapshotAsync(string bicepparam) => RunAsync(["snapshot", bicepparam, .. SnapshotScope]);

    /// <summary>The snapshot <see cref="SnapshotAsync"/> wrote for <paramref name="bicepparam"/>.</summary>
    public JsonNode ReadSnapshot(string bicepparam) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(_root.FullName, Path.ChangeExtension(bicepparam, ".snapshot.json"))))!;

    public void Dispose() => _root.Delete(recursive: true);
}
