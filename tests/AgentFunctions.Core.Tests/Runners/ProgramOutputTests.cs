using AgentFunctions.Core.Runners;

namespace AgentFunctions.Core.Tests.Runners;

/// <summary>The program-output rules the command runner and the CLI worker share.</summary>
public sealed class ProgramOutputTests
{
    [Fact]
    public void Listed_artifacts_win_over_files_of_the_same_name_and_notes_are_signed()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File("a.txt"), "from file");
        File.WriteAllText(directory.File("b.txt"), "file only");
        File.WriteAllText(directory.File("bad name.txt"), "skipped");
        var run = new ProcessRunResult
        {
            ExitCode = 0,
            StandardOutput = """{"status":"completed","result":"ok","artifacts":[{"name":"a.txt","content":"listed"}]}""",
        };

        var answer = ProgramOutput.Interpret(run, new DirectoryInfo(directory.Path), 1024, "the test");

        Assert.Equal(["a.txt", "b.txt"], answer.Result.Artifacts.Select(a => a.Name));
        Assert.Equal("listed", answer.Result.Artifacts[0].Content);
        Assert.Equal("bad name.txt", Assert.Single(answer.SkippedArtifacts).Name);
        Assert.Contains("> Note from the test: Skipped the artifact file 'bad name.txt'", answer.Result.Result, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_over_the_given_artifact_limit_are_skipped_and_the_default_is_ten_mebibytes()
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("small.bin"), new byte[1024]);
        File.WriteAllBytes(directory.File("large.bin"), new byte[2048]);
        var run = new ProcessRunResult { ExitCode = 0, StandardOutput = "done" };

        var limited = ProgramOutput.Interpret(run, new DirectoryInfo(directory.Path), 1024, "the test", maxArtifactBytes: 1024);
        var unlimited = ProgramOutput.Interpret(run, new DirectoryInfo(directory.Path), 1024, "the test");

        Assert.Equal("small.bin", Assert.Single(limited.Result.Artifacts).Name);
        Assert.Equal("large.bin", Assert.Single(limited.SkippedArtifacts).Name);
        Assert.Contains("Skipped the artifact file 'large.bin': 2048 bytes is more than 1024.", limited.Result.Result, StringComparison.Ordinal);
        Assert.Equal(["large.bin", "small.bin"], unlimited.Result.Artifacts.Select(a => a.Name));
        Assert.Equal(10 * 1024 * 1024, ArtifactDirectory.DefaultMaxArtifactBytes);
    }

    [Fact]
    public void Files_whose_stored_path_would_be_too_long_are_skipped()
    {
        using var directory = new TempDirectory();
        var deep = Path.Combine(directory.Path, new string('d', 200), new string('e', 200), new string('f', 200), new string('g', 200));
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "h.txt"), "deep"); // a name of 809 characters: fits
        File.WriteAllText(Path.Combine(deep, new string('i', 70) + ".txt"), "too long"); // 878 characters: does not
        var run = new ProcessRunResult { ExitCode = 0, StandardOutput = "done" };

        var answer = ProgramOutput.Interpret(run, new DirectoryInfo(directory.Path), 1024, "the test");

        Assert.EndsWith("/h.txt", Assert.Single(answer.Result.Artifacts).Name, StringComparison.Ordinal);
        Assert.Contains("at most 866 fit in tasks/<id>/artifacts/<role>/<name>", Assert.Single(answer.SkippedArtifacts).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Symbolic_links_in_the_artifacts_directory_are_not_followed()
    {
        using var directory = new TempDirectory();
        using var outside = new TempDirectory();
        File.WriteAllText(outside.File("secret.txt"), "secret");
        File.CreateSymbolicLink(directory.File("link.txt"), outside.File("secret.txt"));
        File.WriteAllText(directory.File("real.txt"), "real");

        var collected = ArtifactDirectory.Collect(new DirectoryInfo(directory.Path));

        Assert.Equal("real.txt", Assert.Single(collected.Artifacts).Name);
    }

    [Fact]
    public void Failure_message_carries_the_tail_of_stderr_or_else_stdout()
    {
        Assert.Equal("'p' exited with code 2: boom", ProgramOutput.DescribeExit("p", new ProcessRunResult { ExitCode = 2, StandardError = "boom\n", StandardOutput = "out" }));
        Assert.Equal("'p' exited with code 2: out", ProgramOutput.DescribeExit("p", new ProcessRunResult { ExitCode = 2, StandardOutput = "out" }));
        Assert.Equal("'p' exited with code 2", ProgramOutput.DescribeExit("p", new ProcessRunResult { ExitCode = 2 }));
    }
}
