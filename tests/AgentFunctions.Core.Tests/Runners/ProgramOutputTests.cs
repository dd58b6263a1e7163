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
