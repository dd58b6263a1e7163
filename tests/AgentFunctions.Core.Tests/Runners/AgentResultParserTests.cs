using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Runners;
using FsCheck.Xunit;

namespace AgentFunctions.Core.Tests.Runners;

public sealed class AgentResultParserTests
{
    [Fact]
    public void Plain_text_is_a_completed_markdown_result_summarised_by_its_first_line()
    {
        var result = AgentResultParser.Parse("\n\n  ## Release notes  \n\n- fixed the bug\n");

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("\n\n  ## Release notes  \n\n- fixed the bug\n", result.Result);
        Assert.Equal("## Release notes", result.Summary);
        Assert.False(result.Permanent);
        Assert.Empty(result.Artifacts);
        Assert.Null(result.Usage);
    }

    [Fact]
    public void Summary_of_plain_text_is_cut_to_200_characters()
    {
        var result = AgentResultParser.Parse(new string('x', 500) + "\nsecond line");

        Assert.NotNull(result.Summary);
        Assert.Equal(AgentResultParser.MaxSummaryLength, result.Summary.Length);
        Assert.EndsWith("…", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncation_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 198) + "🚀🚀🚀";

        var summary = AgentResultParser.Truncate(text, 200);

        Assert.True(summary.Length <= 200);
        Assert.False(char.IsHighSurrogate(summary[^2]), "a lone high surrogate before the ellipsis");
        // A strict encoder throws on a lone surrogate.
        Assert.NotEmpty(new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(summary));
    }

    [Fact]
    public void Empty_text_is_a_completed_empty_result()
    {
        var result = AgentResultParser.Parse("   ");

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Null(result.Summary);
    }

    [Fact]
    public void Completed_json_result_is_read_field_by_field()
    {
        var result = AgentResultParser.Parse("""
            {"status":"completed","summary":"Notes written","result":"# Notes\n\n- one","permanent":true}
            """);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("Notes written", result.Summary);
        Assert.Equal("# Notes\n\n- one", result.Result);
        // Permanent only means something on a failure.
        Assert.False(result.Permanent);
    }

    [Fact]
    public void Needs_approval_json_result_asks_for_approval()
    {
        var result = AgentResultParser.Parse("""  {"status":"needs_approval","summary":"Deploy plan ready","result":"Plan: drop the table"}  """);

        Assert.Equal(AgentResultStatus.NeedsApproval, result.Status);
        Assert.Equal("Deploy plan ready", result.Summary);
        Assert.Equal("Plan: drop the table", result.Result);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Failed_json_result_carries_the_permanent_flag(bool permanent)
    {
        var result = AgentResultParser.Parse($$"""{"status":"failed","summary":"repository not found","permanent":{{(permanent ? "true" : "false")}}}""");

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.Equal("repository not found", result.Summary);
        Assert.Equal(permanent, result.Permanent);
    }

    [Fact]
    public void Failed_json_result_without_a_message_still_says_what_happened()
    {
        var result = AgentResultParser.Parse("""{"status":"failed"}""");

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.False(string.IsNullOrWhiteSpace(result.Summary));
    }

    [Fact]
    public void Json_result_without_summary_is_summarised_by_its_result()
    {
        var result = AgentResultParser.Parse("""{"status":"completed","result":"\n# Title\nbody"}""");

        Assert.Equal("# Title", result.Summary);
    }

    [Fact]
    public void Status_and_property_names_are_read_case_insensitively()
    {
        var result = AgentResultParser.Parse("""{"Status":"Needs_Approval","Summary":"check"}""");

        Assert.Equal(AgentResultStatus.NeedsApproval, result.Status);
        Assert.Equal("check", result.Summary);
    }

    [Fact]
    public void Artifacts_are_read_in_both_encodings()
    {
        var binary = new byte[] { 0, 1, 2, 255, 254 };
        var result = AgentResultParser.Parse($$"""
            {
              "status": "completed",
              "result": "done",
              "artifacts": [
                { "name": "notes/summary.md", "content": "# Hi ünïcödé", "contentType": "text/markdown" },
                { "name": "blob.bin", "content": "{{Convert.ToBase64String(binary)}}", "encoding": "base64" }
              ]
            }
            """);

        Assert.Collection(
            result.Artifacts,
            text =>
            {
                Assert.Equal("notes/summary.md", text.Name);
                Assert.Equal("utf-8", text.Encoding);
                Assert.Equal("text/markdown", text.ContentType);
                Assert.Equal("# Hi ünïcödé", Encoding.UTF8.GetString(text.GetBytes()));
            },
            blob =>
            {
                Assert.Equal("blob.bin", blob.Name);
                Assert.Equal("base64", blob.Encoding);
                Assert.Null(blob.ContentType);
                Assert.Equal(binary, blob.GetBytes());
            });
    }

    [Fact]
    public void Usage_is_read()
    {
        var result = AgentResultParser.Parse("""{"status":"completed","result":"ok","usage":{"inputTokens":1200,"outputTokens":340,"costUsd":0.0125}}""");

        Assert.NotNull(result.Usage);
        Assert.Equal(1200, result.Usage.InputTokens);
        Assert.Equal(340, result.Usage.OutputTokens);
        Assert.Equal(0.0125m, result.Usage.CostUsd);
    }

    [Fact]
    public void Json_in_a_fenced_code_block_is_read_as_an_agent_result()
    {
        var result = AgentResultParser.Parse("```json\n{\"status\":\"needs_approval\",\"summary\":\"check\"}\n```\n");

        Assert.Equal(AgentResultStatus.NeedsApproval, result.Status);
        Assert.Equal("check", result.Summary);
    }

    [Theory]
    [InlineData("""{"status":"completed","result":"unterminated""")]
    [InlineData("""{"status":"failed", "summary": }""")]
    [InlineData("""{"status":"completed","result":"ok"} trailing}""")]
    public void Malformed_json_is_a_completed_plain_text_result(string text)
    {
        var result = AgentResultParser.Parse(text);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal(text, result.Result);
    }

    [Theory]
    [InlineData("""{"answer":"42"}""")]
    [InlineData("""{"status":"done","result":"ok"}""")]
    [InlineData("""{"status":3}""")]
    [InlineData("""[{"status":"failed"}]""")]
    [InlineData("\"failed\"")]
    public void Json_that_is_not_an_agent_result_is_a_completed_plain_text_result(string text)
    {
        var result = AgentResultParser.Parse(text);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal(text, result.Result);
    }

    [Theory]
    [InlineData("""{"status":"failed","summary":42}""")]
    [InlineData("""{"status":"failed","permanent":"yes"}""")]
    [InlineData("""{"status":"failed","artifacts":{"name":"a"}}""")]
    [InlineData("""{"status":"failed","artifacts":[{"name":"a","content":"!!","encoding":"base64"}]}""")]
    [InlineData("""{"status":"failed","artifacts":[{"name":"a","content":"x","encoding":"rot13"}]}""")]
    [InlineData("""{"status":"failed","artifacts":[{"content":"x"}]}""")]
    [InlineData("""{"status":"failed","usage":{"inputTokens":-1}}""")]
    public void Agent_result_with_a_badly_shaped_field_is_taken_as_plain_text(string text)
    {
        var result = AgentResultParser.Parse(text);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal(text, result.Result);
    }

    [Fact]
    public void TryParseJson_reads_an_http_body()
    {
        using var document = JsonDocument.Parse("""{"status":"failed","summary":"quota exhausted","permanent":true}""");

        Assert.True(AgentResultParser.TryParseJson(document.RootElement, out var result));
        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.True(result.Permanent);
    }

    [Fact]
    public void TryParseJson_refuses_json_without_a_known_status()
    {
        using var document = JsonDocument.Parse("""{"result":"ok"}""");

        Assert.False(AgentResultParser.TryParseJson(document.RootElement, out var result));
        Assert.Null(result);
    }

    [Property]
    public bool Parse_never_throws_and_always_answers(string? text) =>
        AgentResultParser.Parse(text) is { } result && Enum.IsDefined(result.Status);

    [Property]
    public bool Text_that_cannot_be_json_is_kept_verbatim(string? text)
    {
        var input = text ?? string.Empty;
        var trimmed = input.Trim();
        if (trimmed.StartsWith('{') || trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            // JSON candidates are covered by the examples above.
            return true;
        }

        var result = AgentResultParser.Parse(text);
        return result.Status == AgentResultStatus.Completed && result.Result == input;
    }
}
