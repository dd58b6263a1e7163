using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Tests.Tasks;

public class TaskSpecValidatorTests
{
    private static readonly RoleCatalog Roles = new(
    [
        new RoleDefinition { Name = "implementation", Runner = RunnerKind.Echo },
        new RoleDefinition { Name = "review", Runner = RunnerKind.Echo, Retry = RetrySchedule.Default with { MaxAttempts = 3 } },
        new RoleDefinition { Name = "docs", Runner = RunnerKind.Echo },
    ]);

    private readonly TaskSpecValidator _validator = new(Roles, new TaskLimits());

    [Fact]
    public void Valid_spec_is_read_with_every_field()
    {
        var result = Validate("""
            {
              "id": "task-1.a_b", "from": "coordinator", "to": ["implementation", "review"], "type": "code:change",
              "instructions": "Add a test", "payload": { "fmt": "json", "content": { "file": "a.cs" } },
              "context": "# Context", "priority": "high", "ttlSeconds": 3600, "replyTo": "https://example.test/hook",
              "requiresApproval": true, "expectedOutput": "a diff", "approvalTimeoutSeconds": 600,
              "retry": { "maxAttempts": 2, "firstDelay": "00:00:01", "backoffCoefficient": 3, "maxDelay": 30 },
              "somethingElse": { "kept": "out" }
            }
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var spec = result.Spec!;
        Assert.Equal("task-1.a_b", spec.Id);
        Assert.Equal(["implementation", "review"], spec.To);
        Assert.Equal("code:change", spec.Type);
        Assert.Equal(PayloadFormat.Json, spec.Payload!.Fmt);
        Assert.Equal("a.cs", spec.Payload.Content.GetProperty("file").GetString());
        Assert.Equal(TaskPriority.High, spec.Priority);
        Assert.Equal(3600, spec.TtlSeconds);
        Assert.True(spec.RequiresApproval);
        Assert.Equal(600, spec.ApprovalTimeoutSeconds);
        Assert.Equal(new TaskRetryOverride { MaxAttempts = 2, FirstDelay = TimeSpan.FromSeconds(1), BackoffCoefficient = 3, MaxDelay = TimeSpan.FromSeconds(30) }, spec.Retry);
    }

    [Fact]
    public void Minimal_spec_gets_defaults()
    {
        var spec = Validate("""{ "to": "review", "instructions": "look" }""").Spec!;

        Assert.Null(spec.Id);
        Assert.Equal(["review"], spec.To);
        Assert.Equal("task", spec.Type);
        Assert.Equal(TaskPriority.Normal, spec.Priority);
        Assert.False(spec.RequiresApproval);
    }

    [Fact]
    public void Text_payload_may_be_a_plain_string()
    {
        var spec = Validate("""{ "to": ["review"], "payload": "hello" }""").Spec!;

        Assert.Equal(PayloadFormat.Text, spec.Payload!.Fmt);
        Assert.Equal("hello", spec.Payload.Render());
    }

    [Fact]
    public void Every_problem_is_reported_at_once_field_by_field()
    {
        var result = Validate("""
            { "id": "-bad", "to": ["Implementation", "ghost", 7], "priority": "urgent", "ttlSeconds": 5,
              "requiresApproval": "yes", "payload": { "fmt": "xml", "content": "x" } }
            """);

        Assert.False(result.IsValid);
        Assert.Equal(
        [
            "id: must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
            "to[2]: must be a role name (string)",
            "priority: must be one of low, normal, high, critical",
            "requiresApproval: must be true or false",
            "payload.fmt: must be \"text\" or \"json\"",
            "to[0]: 'Implementation' is not a valid role name (^[a-z][a-z0-9-]{0,39}$)",
            "to[1]: unknown role 'ghost' (configured: docs, implementation, review)",
            "ttlSeconds: must be between 60 and 2592000",
        ],
        result.Errors.Select(e => e.ToString()));
        Assert.False(result.IsTooLarge);
    }

    [Theory]
    [InlineData("""[1, 2]""", "$: the task spec must be a JSON object")]
    [InlineData("""{ "instructions": "x" }""", "to: is required: the roles to run ('to'), or 'stages' of roles")]
    [InlineData("""{ "to": ["review"], "stages": [["docs"]], "instructions": "x" }""", "to: give either 'to' or 'stages', not both")]
    [InlineData("""{ "to": [], "instructions": "x" }""", "to: must name at least one role")]
    [InlineData("""{ "to": 5, "instructions": "x" }""", "to: must be a role name or an array of role names")]
    [InlineData("""{ "stages": [], "instructions": "x" }""", "stages: must hold at least one stage")]
    [InlineData("""{ "stages": [["review"], []], "instructions": "x" }""", "stages[1]: must name at least one role")]
    [InlineData("""{ "stages": "review", "instructions": "x" }""", "stages: must be an array of arrays of role names")]
    [InlineData("""{ "stages": [["review"], ["review"]], "instructions": "x" }""", "stages[1][0]: role 'review' appears more than once")]
    [InlineData("""{ "to": ["review"], "instructions": 3 }""", "instructions: must be a string")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "type": "has space" }""", "type: must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "ttlSeconds": 2592001 }""", "ttlSeconds: must be between 60 and 2592000")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "ttlSeconds": 60.5 }""", "ttlSeconds: must be a whole number")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "approvalTimeoutSeconds": 0 }""", "approvalTimeoutSeconds: must be between 1 and 2592000")]
    [InlineData("""{ "to": ["review"], "payload": { "fmt": "text", "content": { "a": 1 } } }""", "payload.content: must be a string when fmt is \"text\"")]
    [InlineData("""{ "to": ["review"], "payload": { "fmt": "json" } }""", "payload.content: is required")]
    [InlineData("""{ "to": ["review"], "payload": 12 }""", "payload: must be an object { \"fmt\": \"text\" | \"json\", \"content\": ... } or a string")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "retry": { "maxAttempts": 4 } }""", "retry.maxAttempts: must not exceed the cap of role 'review' (3)")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "maxAttempts": 11 } }""", "retry.maxAttempts: must be between 1 and 10")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "firstDelay": "soon" } }""", "retry.firstDelay: must be a duration such as \"00:00:02\" or a number of seconds")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "firstDelay": 0 } }""", "retry.firstDelay: must be between 00:00:00.001 and 1.00:00:00")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "backoffCoefficient": 0.5 } }""", "retry.backoffCoefficient: must be between 1 and 100")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "firstDelay": 10, "maxDelay": 5 } }""", "retry.maxDelay: must not be shorter than retry.firstDelay")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": 3 }""", "retry: must be an object with maxAttempts, firstDelay, backoffCoefficient or maxDelay")]
    public void Single_problem_has_an_exact_message(string json, string expected)
    {
        var result = Validate(json);

        Assert.Equal(expected, Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData("a")]
    [InlineData("A1")]
    [InlineData("0.9_x-y")]
    public void Task_ids_following_the_pattern_are_accepted(string id)
    {
        Assert.True(Validate($$"""{ "id": "{{id}}", "to": ["docs"], "instructions": "x" }""").IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("_a")]
    [InlineData(".a")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a~b")]
    [InlineData("é")]
    [InlineData("a\\n")]
    public void Task_ids_breaking_the_pattern_are_refused(string id)
    {
        var result = Validate($$"""{ "id": "{{id}}", "to": ["docs"], "instructions": "x" }""");

        Assert.Equal("id: must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Task_id_of_100_characters_is_the_longest_accepted()
    {
        Assert.True(Validate($$"""{ "id": "{{new string('a', 100)}}", "to": ["docs"], "instructions": "x" }""").IsValid);
        Assert.False(Validate($$"""{ "id": "{{new string('a', 101)}}", "to": ["docs"], "instructions": "x" }""").IsValid);
    }

    [Fact]
    public void Role_names_are_limited_to_40_characters()
    {
        var name = "a" + new string('b', 40);

        var result = Validate($$"""{ "to": ["{{name}}"], "instructions": "x" }""");

        Assert.Equal($"to[0]: '{name}' is not a valid role name (^[a-z][a-z0-9-]{{0,39}}$)", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void At_most_sixteen_roles_per_task()
    {
        var names = Enumerable.Range(0, 17).Select(i => $"r{i}").ToList();
        var validator = new TaskSpecValidator(new RoleCatalog(names.Select(n => new RoleDefinition { Name = n, Runner = RunnerKind.Echo })), new TaskLimits());
        var json = JsonSerializer.Serialize(new { to = names, instructions = "x" });

        var result = validator.Validate(JsonDocument.Parse(json).RootElement);

        Assert.Equal("to: names 17 roles; at most 16 are allowed per task", Assert.Single(result.Errors).ToString());
        Assert.True(validator.Validate(JsonDocument.Parse(JsonSerializer.Serialize(new { to = names.Take(16), instructions = "x" })).RootElement).IsValid);
    }

    [Fact]
    public void Context_over_one_mebibyte_is_too_large()
    {
        var context = new string('x', (1024 * 1024) + 1);
        var json = JsonSerializer.Serialize(new { to = new[] { "docs" }, context });

        var result = _validator.Validate(JsonDocument.Parse(json).RootElement, Encoding.UTF8.GetByteCount(json));

        Assert.Equal("context: is 1048577 bytes; the limit is 1048576", Assert.Single(result.Errors).ToString());
        Assert.True(result.IsTooLarge);
    }

    [Fact]
    public void Context_of_exactly_one_mebibyte_is_accepted()
    {
        var context = new string('x', 1024 * 1024);
        var json = JsonSerializer.Serialize(new { to = new[] { "docs" }, context });

        Assert.True(_validator.Validate(JsonDocument.Parse(json).RootElement, Encoding.UTF8.GetByteCount(json)).IsValid);
    }

    [Fact]
    public void Context_size_counts_utf8_bytes()
    {
        var context = new string('é', (512 * 1024) + 1);

        var result = _validator.Validate(new TaskSpec { To = ["docs"], Context = context });

        Assert.Equal("context: is 1048578 bytes; the limit is 1048576", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Spec_over_64_kibibytes_beyond_its_context_is_too_large()
    {
        var instructions = new string('i', 64 * 1024);
        var json = JsonSerializer.Serialize(new { to = new[] { "docs" }, instructions, context = new string('c', 1000) });
        var bytes = Encoding.UTF8.GetByteCount(json);

        var result = _validator.Validate(JsonDocument.Parse(json).RootElement, bytes);

        Assert.Equal($"$: the spec takes {bytes - 1000} bytes beyond its context; the limit is 65536", Assert.Single(result.Errors).ToString());
        Assert.True(result.IsTooLarge);
    }

    [Fact]
    public void Limits_come_from_configuration()
    {
        var validator = new TaskSpecValidator(Roles, new TaskLimits { MinTtlSeconds = 1, MaxContextBytes = 10 });

        var result = validator.Validate(JsonDocument.Parse("""{ "to": ["docs"], "context": "01234567890", "ttlSeconds": 1 }""").RootElement);

        Assert.Equal("context: is 11 bytes; the limit is 10", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Typed_specs_are_checked_by_the_same_rules()
    {
        var result = _validator.Validate(new TaskSpec { Id = "ok", To = ["ghost"], Instructions = "x" });

        Assert.Equal("to[0]: unknown role 'ghost' (configured: docs, implementation, review)", Assert.Single(result.Errors).ToString());
        Assert.Equal("task", _validator.Validate(new TaskSpec { To = ["docs"], Instructions = "x" }).Spec!.Type);
    }

    private SpecValidationResult Validate(string json) => _validator.Validate(JsonDocument.Parse(json).RootElement);
}
