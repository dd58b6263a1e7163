using System.Xml.Linq;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>
/// The README's install steps, for real: pack the tool from a copy of the sources with plain dotnet, install it
/// from that folder with dotnet tool install, and run it.
/// </summary>
public sealed class PackedToolTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Packed_tool_installs_from_a_local_source_and_answers_help_and_version()
    {
        using var work = new TempDirectory();
        var sources = Path.Combine(work.Path, "clone");
        var packages = Path.Combine(work.Path, "nupkg");
        var tools = Path.Combine(work.Path, "tools");
        CopySources(Repository.Root(), sources);
        // Plain dotnet, without build servers that would outlive the test.
        var environment = new Dictionary<string, string?>
        {
            ["CustomAfterMicrosoftCommonTargets"] = null,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };

        var pack = await ExternalProcess.RunAsync("dotnet", ["pack", "src/AgentQ", "-c", "Release", "-o", packages, "--disable-build-servers"], sources, environment, BuildTimeout);
        Assert.True(pack.ExitCode == 0, "dotnet pack: " + pack);
        var version = ProjectVersion(Path.Combine(sources, "src", "AgentQ", "AgentQ.csproj"));
        Assert.True(File.Exists(Path.Combine(packages, $"AgentQ.{version}.nupkg")), "no package in " + packages);

        var install = await ExternalProcess.RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packages, "AgentQ"], work.Path, environment, BuildTimeout);
        Assert.True(install.ExitCode == 0, "dotnet tool install: " + install);
        Assert.Contains($"Tool 'agentq' (version '{version}') was successfully installed.", install.Stdout, StringComparison.Ordinal);

        var agentq = Path.Combine(tools, OperatingSystem.IsWindows() ? "agentq.exe" : "agentq");
        var help = await ExternalProcess.RunAsync(agentq, ["--help"], work.Path, environment, TimeSpan.FromMinutes(1));
        var shown = await ExternalProcess.RunAsync(agentq, ["--version"], work.Path, environment, TimeSpan.FromMinutes(1));

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("agentq [command] [options]", help.Stdout, StringComparison.Ordinal);
        foreach (var command in new[] { "init", "submit", "status", "list", "watch", "result", "approve", "reject", "cancel", "dlq", "health", "metrics", "take", "heartbeat", "complete", "fail", "worker" })
        {
            Assert.Contains($"\n  {command} ", help.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes:", help.Stdout, StringComparison.Ordinal);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(version)}(\+[0-9a-f]+)?\r?\n$", shown.Stdout);
    }

    /// <summary>
    /// What a fresh clone has for building the tool: the root files (props, global.json, .editorconfig), src/ without
    /// build output, and deploy/ (the service templates agentq embeds for worker install).
    /// </summary>
    private static void CopySources(string root, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(root))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        CopyTree(Path.Combine(root, "src"), Path.Combine(destination, "src"));
        CopyTree(Path.Combine(root, "deploy"), Path.Combine(destination, "deploy"));
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(from))
        {
            var name = Path.GetFileName(directory);
            if (name is not ("bin" or "obj") && !name.StartsWith('.'))
            {
                CopyTree(directory, Path.Combine(to, name));
            }
        }
    }

    private static string ProjectVersion(string project) =>
        XDocument.Load(project).Descendants("Version").Single().Value.Trim();
}
