using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;
using AgentQ.Worker;

namespace AgentQ.Tests;

/// <summary>How the worker finds its program before the first lease, on real files: like a shell would.</summary>
public sealed class ProgramResolverTests : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string Directory(string name) => System.IO.Directory.CreateDirectory(_scratch.File(name)).FullName;

    [Fact]
    public void Relative_path_is_taken_from_the_current_directory()
    {
        var script = _scratch.Script("agent.sh", "echo hi");

        Assert.Equal(script, ProgramResolver.Resolve("./agent.sh", path: null, _scratch.Path));
    }

    [Fact]
    public void Bare_name_skips_a_match_on_path_that_cannot_run_and_takes_the_next()
    {
        var first = Directory("first");
        var second = Directory("second");
        File.WriteAllText(Path.Combine(first, "agent"), "not a program");
        var runnable = Path.Combine(second, "agent");
        File.Move(_scratch.Script("agent", "echo hi"), runnable);

        Assert.Equal(runnable, ProgramResolver.Resolve("agent", string.Join(Path.PathSeparator, first, second), _scratch.Path));
    }

    [Fact]
    public void Bare_name_found_only_as_a_file_that_cannot_run_says_so()
    {
        var bin = Directory("bin");
        File.WriteAllText(Path.Combine(bin, "agent"), "not a program");

        var error = Assert.Throws<CliException>(() => ProgramResolver.Resolve("agent", bin, _scratch.Path));

        Assert.Equal(ExitCode.Usage, error.ExitCode);
        Assert.StartsWith($"cannot run 'agent': not found on PATH as an executable file ({Path.Combine(bin, "agent")}: it is not executable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bare_name_of_a_file_in_the_current_directory_points_to_dot_slash()
    {
        _scratch.Script("agent.sh", "echo hi");

        var error = Assert.Throws<CliException>(() => ProgramResolver.Resolve("agent.sh", Directory("empty"), _scratch.Path));

        Assert.Equal("cannot run 'agent.sh': not found on PATH (for the file in the current directory, write ./agent.sh)", error.Message);
    }
}
