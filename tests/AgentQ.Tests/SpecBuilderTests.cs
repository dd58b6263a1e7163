using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;
using AgentQ.Cli;
using AgentQ.Http;
using AgentQ.Submit;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>Flags become the task spec the server validates.</summary>
public sealed class SpecBuilderTests
{
    private static TaskSpec Build(SubmitArguments arguments, string stdin = "") => SpecBuilder.Build(arguments, () => stdin);

    private static CliException Refused(SubmitArguments arguments) =>
        Assert.Throws<CliException>(() => Build(arguments));

    [Fact]
    public void To_roles_may_be_listed_repeated_or_comma_separated()
    {
        var spec = Build(new SubmitArguments { Instructions = "go", To = ["impl", "review,docs", " qa "] });

        Assert.Equal(["impl", "review", "docs", "qa"], spec.To);
        Assert.Null(spec.Stages);
    }

    [Fact]
    public void Each_stage_flag_is_one_stage_in_order()
    {
        var spec = Build(new SubmitArguments { Instructions = "go", Stages = [["impl"], ["review,docs"]] });

        Assert.Null(spec.To);
        Assert.Equal(2, spec.Stages!.Count);
        Assert.Equal(["impl"], spec.Stages[0]);
        Assert.Equal(["review", "docs"], spec.Stages[1]);
    }

    [Fact]
    public void Content_is_a_text_payload_by_default()
    {
        var spec = Build(new SubmitArguments { Content = "Fix the login bug", To = ["impl"] });

        Assert.Equal(PayloadFormat.Text, spec.Payload!.Fmt);
        Assert.Equal("Fix the login bug", spec.Payload.Content.GetString());
    }

    [Fact]
    public void Json_content_is_sent_as_the_json_value_itself()
    {
        var spec = Build(new SubmitArguments { Content = """{"issue": 42, "labels": ["bug"]}""", PayloadFormat = "json", To = ["impl"] });

        Assert.Equal(PayloadFormat.Json, spec.Payload!.Fmt);
        Assert.Equal(JsonValueKind.Object, spec.Payload.Content.ValueKind);
        Assert.Equal(42, spec.Payload.Content.GetProperty("issue").GetInt32());
    }

    [Fact]
    public void Json_content_that_does_not_parse_is_a_usage_error()
    {
        var error = Refused(new SubmitArguments { Content = "{issue: 42", PayloadFormat = "json", To = ["impl"] });

        Assert.Equal(ExitCode.Usage, error.ExitCode);
        Assert.StartsWith("CONTENT is not valid JSON (--payload-fmt json):", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Payload_format_without_content_is_a_usage_error()
    {
        var error = Refused(new SubmitArguments { Instructions = "go", PayloadFormat = "json", To = ["impl"] });

        Assert.Equal("--payload-fmt needs CONTENT", error.Message);
    }

    [Fact]
    public void File_is_read_as_the_task_context()
    {
        using var directory = new TempDirectory();
        var path = directory.File("context.md");
        File.WriteAllText(path, "# Context\n\nThe bug is in ünïcödé handling ✓\n");

        var spec = Build(new SubmitArguments { File = path, To = ["impl"] });

        Assert.Equal("# Context\n\nThe bug is in ünïcödé handling ✓\n", spec.Context);
        Assert.Null(spec.Payload);
    }

    [Fact]
    public void Dash_reads_content_or_context_from_stdin()
    {
        var fromContent = Build(new SubmitArguments { Content = "-", To = ["impl"] }, stdin: "piped payload");
        var fromFile = Build(new SubmitArguments { File = "-", Instructions = "go", To = ["impl"] }, stdin: "piped context");

        Assert.Equal("piped payload", fromContent.Payload!.Content.GetString());
        Assert.Equal("piped context", fromFile.Context);
        Assert.Equal("CONTENT and --file cannot both read stdin ('-')", Refused(new SubmitArguments { Content = "-", File = "-", To = ["impl"] }).Message);
    }

    [Fact]
    public void Missing_file_is_a_usage_error_naming_the_path()
    {
        var error = Refused(new SubmitArguments { File = "/nonexistent/ctx.md", To = ["impl"] });

        Assert.Equal(ExitCode.Usage, error.ExitCode);
        Assert.Equal("cannot read --file '/nonexistent/ctx.md': no such file", error.Message);
    }

    [Fact]
    public void A_directory_given_as_file_is_a_usage_error_saying_it_is_a_directory()
    {
        var directory = Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar);
        var error = Refused(new SubmitArguments { File = directory, To = ["impl"] });

        Assert.Equal(ExitCode.Usage, error.ExitCode);
        Assert.Equal($"cannot read --file '{directory}': it is a directory (give a file, or - for stdin)", error.Message);
    }

    [Fact]
    public void Scalar_flags_land_in_their_fields()
    {
        var spec = Build(new SubmitArguments
        {
            Instructions = "Review the change",
            To = ["review"],
            Type = "code-review",
            Priority = "critical",
            TtlSeconds = 3600,
            RequiresApproval = true,
            Id = "pr-42.review",
            From = "coordinator",
            ReplyTo = "queue://replies",
        });

        Assert.Equal("Review the change", spec.Instructions);
        Assert.Equal("code-review", spec.Type);
        Assert.Equal(TaskPriority.Critical, spec.Priority);
        Assert.Equal(3600, spec.TtlSeconds);
        Assert.True(spec.RequiresApproval);
        Assert.Equal("pr-42.review", spec.Id);
        Assert.Equal("coordinator", spec.From);
        Assert.Equal("queue://replies", spec.ReplyTo);
    }

    [Theory]
    [InlineData(null, TaskPriority.Normal)]
    [InlineData("low", TaskPriority.Low)]
    [InlineData("HIGH", TaskPriority.High)]
    public void Priority_names_map_to_the_contract(string? name, TaskPriority expected)
    {
        Assert.Equal(expected, Build(new SubmitArguments { Instructions = "go", To = ["impl"], Priority = name }).Priority);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Ttl_must_be_positive(int ttl)
    {
        Assert.Equal("--ttl must be a positive number of seconds", Refused(new SubmitArguments { Instructions = "go", To = ["impl"], TtlSeconds = ttl }).Message);
    }

    [Fact]
    public void Roles_are_required_and_exclusive()
    {
        Assert.StartsWith("no roles", Refused(new SubmitArguments { Instructions = "go" }).Message, StringComparison.Ordinal);
        Assert.StartsWith("give either --to", Refused(new SubmitArguments { Instructions = "go", To = ["a"], Stages = [["b"]] }).Message, StringComparison.Ordinal);
        Assert.Equal("--to names no role", Refused(new SubmitArguments { Instructions = "go", To = [",,"] }).Message);
    }

    [Fact]
    public void A_role_named_twice_is_refused_across_stages()
    {
        Assert.Equal("--stage: role 'impl' is named more than once", Refused(new SubmitArguments { Instructions = "go", Stages = [["impl"], ["review,impl"]] }).Message);
    }

    [Fact]
    public void Something_to_work_on_is_required()
    {
        Assert.Equal("nothing to work on: give CONTENT, --instructions or --file", Refused(new SubmitArguments { To = ["impl"] }).Message);
    }

    [Fact]
    public void Spec_serializes_in_the_contract_dialect_without_absent_fields()
    {
        var spec = Build(new SubmitArguments { Content = "[1,2]", PayloadFormat = "json", Stages = [["impl"], ["review"]], Priority = "high", TtlSeconds = 120 });

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(spec, CliJson.Requests));
        var root = json.RootElement;

        Assert.Equal("high", root.GetProperty("priority").GetString());
        Assert.Equal(120, root.GetProperty("ttlSeconds").GetInt32());
        Assert.Equal("json", root.GetProperty("payload").GetProperty("fmt").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("payload").GetProperty("content").ValueKind);
        Assert.Equal("review", root.GetProperty("stages")[1][0].GetString());
        Assert.False(root.TryGetProperty("to", out _));
        Assert.False(root.TryGetProperty("id", out _));
        Assert.False(root.TryGetProperty("context", out _));
    }

    [Fact]
    public void Spec_built_from_flags_passes_the_server_validator()
    {
        var spec = Build(new SubmitArguments { Content = "{\"n\":1}", PayloadFormat = "json", Stages = [["impl"], ["review,docs"]], Instructions = "go", TtlSeconds = 600, Id = "t-1" });
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(spec, CliJson.Requests));

        var roles = new RoleCatalog(new[] { "impl", "review", "docs" }.Select(name => new RoleDefinition { Name = name, Runner = RunnerKind.Echo }));
        var validator = new TaskSpecValidator(roles, new TaskLimits());

        var validation = validator.Validate(json.RootElement, System.Text.Encoding.UTF8.GetByteCount(json.RootElement.GetRawText()));

        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
    }
}
