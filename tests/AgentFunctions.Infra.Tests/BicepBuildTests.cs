using AgentFunctions.Infra.Tests.Support;

namespace AgentFunctions.Infra.Tests;

/// <summary>The templates as shipped compile and lint with no diagnostic at all (warnings exit 0, so output is checked).</summary>
public sealed class BicepBuildTests
{
    [Fact]
    public async Task Main_bicep_builds_without_a_diagnostic()
    {
        using var infra = new InfraCopy();

        var build = await infra.RunAsync("build", "main.bicep", "--stdout");

        build.AssertClean();
        Assert.Contains("\"$schema\"", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_bicep_file_lints_without_a_diagnostic()
    {
        using var infra = new InfraCopy();
        var files = Directory.EnumerateFiles(BicepCli.InfraDirectory, "*.bicep", SearchOption.AllDirectories).ToList();

        var lint = await infra.RunAsync("lint", "--pattern", "**/*.bicep");

        lint.AssertClean();
        Assert.Contains(files, f => f.EndsWith("main.bicep", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("types.bicep", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_sample_parameters_decompile_and_build_without_a_diagnostic()
    {
        using var infra = new InfraCopy();

        var bicepparam = await infra.DecompileAsync("main");
        var built = await infra.BuildParamsAsync(bicepparam);

        built.AssertClean();
        Assert.Contains("roleSettings", built.Output, StringComparison.Ordinal);
    }
}
