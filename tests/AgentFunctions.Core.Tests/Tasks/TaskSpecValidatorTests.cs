using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Tests.Tasks;

public class TaskSpecValidatorTests
{
    private static readonly RoleCatalog Roles = new(
    [
        new RoleDefinition { Name = "implementation", Runner = RunnerKind.Echo },
        new RoleDefinition { Name = "review", Runner = RunnerKind.Echo, Retry = RetrySchedule.Default with { MaxAttempts = 3, MaxDelay = TimeSpan.FromMinutes(1) } },
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
            "to[2]: must be a role name (string)",
            "priority: must be one of low, normal, high, critical",
            "requiresApproval: must be true or false",
            "payload.fmt: must be \"text\" or \"json\"",
            "id: must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
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
    [InlineData("""{ "stages": "review", "instructions": "x" }""", "stages: must be an array of stages, each an array of role names or { \"roles\": [...], \"requires\": [...] }")]
    [InlineData("""{ "stages": [["review"], ["review"]], "instructions": "x" }""", "stages[1][0]: role 'review' appears more than once")]
    [InlineData("""{ "to": ["review"], "instructions": 3 }""", "instructions: must be a string")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "type": "has space" }""", "type: must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "ttlSeconds": 2592001 }""", "ttlSeconds: must be between 60 and 2592000")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "ttlSeconds": 60.5 }""", "ttlSeconds: must be a whole number")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "approvalTimeoutSeconds": 0 }""", "approvalTimeoutSeconds: must be between 1 and 2592000")]
    [InlineData("""{ "to": ["review"], "payload": { "fmt": "text", "content": { "a": 1 } } }""", "payload.content: must be a string when fmt is \"text\"")]
    [InlineData("""{ "to": ["review"], "payload": { "fmt": "json" } }""", "payload.content: is required")]
    [InlineData("""{ "to": ["review"], "payload": 12 }""", "payload: must be an object { \"fmt\": \"text\" | \"json\", \"content\": ... } or a string")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "retry": { "maxAttempts": 4 } }""", "retry.maxAttempts: must not exceed the maxAttempts of role 'review' (3)")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "maxAttempts": 0 } }""", "retry.maxAttempts: must be between 1 and 10")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "retry": { "maxDelay": "00:01:01" } }""", "retry.maxDelay: must not exceed the maxDelay of role 'review' (00:01:00)")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "retry": { "firstDelay": 61 } }""", "retry.firstDelay: must not exceed the maxDelay of role 'review' (00:01:00)")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "maxDelay": "1.00:00:00.001" } }""", "retry.maxDelay: must be between 00:00:00.001 and 1.00:00:00")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "maxDelay": 0 } }""", "retry.maxDelay: must be between 00:00:00.001 and 1.00:00:00")]
    [InlineData("""{ "to": ["docs"], "instructions": "x", "retry": { "backoffCoefficient": 101 } }""", "retry.backoffCoefficient: must be between 1 and 100")]
    [InlineData("""{ "to": ["review"], "instructions": "x", "approvalTimeoutSeconds": 2592001 }""", "approvalTimeoutSeconds: must be between 1 and 2592000")]
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

        // The context's token is its 1000 characters and two quotes.
        Assert.Equal($"$: the spec takes {bytes - 1002} bytes beyond its context; the limit is 65536", Assert.Single(result.Errors).ToString());
        Assert.True(result.IsTooLarge);
    }

    [Fact]
    public void Heavily_escaped_context_of_one_mebibyte_is_accepted()
    {
        var context = EscapeHeavyContext(1024 * 1024);
        var json = JsonSerializer.Serialize(new { to = new[] { "docs" }, instructions = "summarise", context });
        var bytes = Encoding.UTF8.GetByteCount(json);

        var result = _validator.Validate(JsonDocument.Parse(json).RootElement, bytes);

        // On the wire the escapes make the body larger than context + 64 KiB; only the rest of the spec counts.
        Assert.True(bytes > new TaskLimits().MaxRequestBytes + (900 * 1024), $"{bytes} bytes");
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(context, result.Spec!.Context);
    }

    [Fact]
    public void Spec_just_over_the_limit_beyond_a_heavily_escaped_context_is_too_large()
    {
        var context = EscapeHeavyContext(1024 * 1024);
        string Json(int instructionChars) => JsonSerializer.Serialize(new { to = new[] { "docs" }, instructions = new string('i', instructionChars), context });
        var contextToken = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(context));
        var rest = Encoding.UTF8.GetByteCount(Json(0)) - contextToken;
        var atLimit = Json(65536 - rest);
        var overLimit = Json(65537 - rest);

        var accepted = _validator.Validate(JsonDocument.Parse(atLimit).RootElement, Encoding.UTF8.GetByteCount(atLimit));
        var refused = _validator.Validate(JsonDocument.Parse(overLimit).RootElement, Encoding.UTF8.GetByteCount(overLimit));

        Assert.True(accepted.IsValid, string.Join("; ", accepted.Errors));
        Assert.Equal("$: the spec takes 65537 bytes beyond its context; the limit is 65536", Assert.Single(refused.Errors).ToString());
        Assert.True(refused.IsTooLarge);
    }

    [Fact]
    public void Spec_size_is_measured_on_the_json_itself_when_the_body_size_is_unknown()
    {
        var json = JsonSerializer.Serialize(new { to = new[] { "docs" }, instructions = new string('i', 64 * 1024), context = "c\n" });

        var result = _validator.Validate(JsonDocument.Parse(json).RootElement);

        Assert.Equal($"$: the spec takes {Encoding.UTF8.GetByteCount(json) - 5} bytes beyond its context; the limit is 65536", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Escaped_context_over_one_mebibyte_of_text_is_too_large()
    {
        var context = EscapeHeavyContext((1024 * 1024) + 1);
        var json = JsonSerializer.Serialize(new { to = new[] { "docs" }, context });

        var result = _validator.Validate(JsonDocument.Parse(json).RootElement, Encoding.UTF8.GetByteCount(json));

        Assert.Equal("context: is 1048577 bytes; the limit is 1048576", Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData(60)]
    [InlineData(2592000)]
    public void Ttl_at_either_end_of_its_range_is_accepted(int ttl)
    {
        var result = Validate($$"""{ "to": ["docs"], "instructions": "x", "ttlSeconds": {{ttl}} }""");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(ttl, result.Spec!.TtlSeconds);
    }

    [Fact]
    public void From_is_limited_to_200_characters_without_control_characters()
    {
        Assert.True(Validate($$"""{ "to": ["docs"], "instructions": "x", "from": "{{new string('f', 200)}}" }""").IsValid);

        var tooLong = Validate($$"""{ "to": ["docs"], "instructions": "x", "from": "{{new string('f', 201)}}" }""");
        var control = Validate("""{ "to": ["docs"], "instructions": "x", "from": "a\u0007b" }""");

        Assert.Equal("from: must be at most 200 characters without control characters", Assert.Single(tooLong.Errors).ToString());
        Assert.Equal("from: must be at most 200 characters without control characters", Assert.Single(control.Errors).ToString());
    }

    [Fact]
    public void Reply_to_is_limited_to_2048_characters_without_control_characters()
    {
        Assert.True(Validate($$"""{ "to": ["docs"], "instructions": "x", "replyTo": "{{new string('r', 2048)}}" }""").IsValid);

        var tooLong = Validate($$"""{ "to": ["docs"], "instructions": "x", "replyTo": "{{new string('r', 2049)}}" }""");
        var control = Validate("""{ "to": ["docs"], "instructions": "x", "replyTo": "line\nbreak" }""");

        Assert.Equal("replyTo: must be at most 2048 characters without control characters", Assert.Single(tooLong.Errors).ToString());
        Assert.Equal("replyTo: must be at most 2048 characters without control characters", Assert.Single(control.Errors).ToString());
    }

    [Fact]
    public void Retry_override_is_checked_against_every_role_it_applies_to()
    {
        var result = Validate("""
            { "stages": [["implementation"], ["review"]], "instructions": "x",
              "retry": { "maxAttempts": 4, "firstDelay": "00:02:00", "maxDelay": "00:06:00" } }
            """);

        Assert.Equal(
        [
            "retry.maxAttempts: must not exceed the maxAttempts of role 'review' (3)",
            "retry.firstDelay: must not exceed the maxDelay of role 'review' (00:01:00)",
            "retry.maxDelay: must not exceed the maxDelay of role 'implementation' (00:05:00)",
            "retry.maxDelay: must not exceed the maxDelay of role 'review' (00:01:00)",
        ],
        result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Retry_override_within_every_role_s_schedule_is_accepted()
    {
        var result = Validate("""
            { "to": ["implementation", "review"], "instructions": "x",
              "retry": { "maxAttempts": 3, "firstDelay": "00:01:00", "maxDelay": 60, "backoffCoefficient": 100 } }
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
    }

    /// <summary>Markdown whose JSON form is mostly escapes: newlines, quotes, tabs, backslashes, é, control characters.</summary>
    private static string EscapeHeavyContext(int utf8Bytes)
    {
        const string Line = "- \"quoted\" café\t<tag> & back\\slash \u0001\n";
        var lineBytes = Encoding.UTF8.GetByteCount(Line);
        var text = new StringBuilder();
        var bytes = 0;
        for (; bytes + lineBytes <= utf8Bytes; bytes += lineBytes)
        {
            text.Append(Line);
        }

        return text.Append('x', utf8Bytes - bytes).ToString();
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

    [Fact]
    public void Typed_specs_get_the_field_rules_of_submitted_ones()
    {
        var result = _validator.Validate(new TaskSpec
        {
            Id = "-bad",
            From = "a\u0000b",
            To = ["docs"],
            Type = "has space",
            Instructions = "x",
            ReplyTo = new string('r', 2049),
            Priority = (TaskPriority)7,
            Payload = new TaskPayload { Fmt = PayloadFormat.Text, Content = JsonSerializer.SerializeToElement(new { a = 1 }) },
            Retry = new TaskRetryOverride { MaxDelay = TimeSpan.FromMinutes(10) },
        });

        Assert.Equal(
        [
            "id: must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
            "from: must be at most 200 characters without control characters",
            "type: must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
            "replyTo: must be at most 2048 characters without control characters",
            "priority: must be one of low, normal, high, critical",
            "payload.content: must be a string when fmt is \"text\"",
            "retry.maxDelay: must not exceed the maxDelay of role 'docs' (00:05:00)",
        ],
        result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Typed_spec_with_a_missing_role_name_is_refused_not_thrown_on()
    {
        var result = _validator.Validate(new TaskSpec { To = [null!], Instructions = "x", Retry = new TaskRetryOverride { MaxAttempts = 2 } });

        Assert.Equal("to[0]: '' is not a valid role name (^[a-z][a-z0-9-]{0,39}$)", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Typed_spec_over_64_kibibytes_beyond_its_context_is_too_large()
    {
        var spec = new TaskSpec { Id = "big", To = ["docs"], Type = "task", Instructions = new string('i', 64 * 1024) };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(spec, CoreJson.Options).Length;

        var result = _validator.Validate(spec);
        var withLargeContext = _validator.Validate(new TaskSpec { Id = "ctx", To = ["docs"], Instructions = "x", Context = new string('c', 1024 * 1024) });

        Assert.Equal($"$: the spec takes {bytes} bytes beyond its context; the limit is 65536", Assert.Single(result.Errors).ToString());
        Assert.True(result.IsTooLarge);
        Assert.True(withLargeContext.IsValid, string.Join("; ", withLargeContext.Errors));
    }

    private SpecValidationResult Validate(string json) => _validator.Validate(JsonDocument.Parse(json).RootElement);
}
