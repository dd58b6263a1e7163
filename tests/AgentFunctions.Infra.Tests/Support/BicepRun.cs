namespace AgentFunctions.Infra.Tests.Support;

/// <summary>One finished run of the Bicep CLI.</summary>
internal sealed record BicepRun(string Command, int ExitCode, string Output, string Errors)
{
    /// <summary>
    /// Decompiling parameters always prints this notice on stderr; it is not about the files, so it is not a diagnostic.
    /// </summary>
    private static readonly string[] DecompileNotice =
    [
        "WARNING: Decompilation is a best-effort process",
        "You may need to fix warnings and errors in the generated",
        "If you would like to report any issues or inaccurate conversions",
    ];

    public string Describe() => $"bicep {Command} exited with {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Output}{Environment.NewLine}stderr:{Environment.NewLine}{Errors}";

    /// <summary>Exit code 0 and nothing on stderr but the decompile notice: warnings exit 0, so they are looked for.</summary>
    public void AssertClean()
    {
        var unexpected = Errors.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Length > 0 && !DecompileNotice.Any(notice => line.StartsWith(notice, StringComparison.Ordinal)))
            .ToList();
        Assert.True(ExitCode == 0 && unexpected.Count == 0 && BicepCli.Diagnostics(Output).Count == 0, Describe());
    }

    /// <summary>A non-zero exit whose output says <paramref name="expected"/>.</summary>
    public void AssertFailedWith(string expected)
    {
        Assert.True(ExitCode != 0, "expected a failure: " + Describe());
        Assert.True((Output + Errors).Contains(expected, StringComparison.Ordinal), $"expected '{expected}' in the output: {Describe()}");
    }
}
