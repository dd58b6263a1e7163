using System.Text.Json;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Tests.Security;

public class SecretScannerTests
{
    public static TheoryData<string, string> TruePositives => SecretCorpus.TruePositives;

    public static TheoryData<string, string> NearMisses => SecretCorpus.NearMisses;

    [Theory]
    [MemberData(nameof(TruePositives))]
    public void A_secret_of_each_kind_is_found_once_with_its_kind(string kind, string text)
    {
        var finding = Assert.Single(SecretScanner.Scan("context", text));

        Assert.Equal(kind, finding.Kind);
        Assert.Equal("context", finding.Field);
    }

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void Text_that_only_looks_random_is_not_a_secret(string what, string text)
    {
        var findings = SecretScanner.Scan("context", text);

        Assert.True(findings.Count == 0, $"{what}: found {string.Join(", ", findings.Select(f => f.Kind))}");
    }

    [Theory]
    [MemberData(nameof(TruePositives))]
    public void A_finding_describes_where_the_secret_is_and_never_repeats_it(string kind, string text)
    {
        var finding = Assert.Single(SecretScanner.Scan("context", text));
        var secret = text.Substring(finding.Offset, finding.Length);

        Assert.DoesNotContain(secret, finding.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, JsonSerializer.Serialize(finding), StringComparison.Ordinal);
        Assert.Contains(kind, finding.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Positions_are_line_and_column_of_the_first_character_and_the_offset_in_the_text()
    {
        var key = "AKIA" + "Q3EGRTYW7MZNKX2P";
        var text = "first line\nsecond line\n  key: " + key + "\n";

        var finding = Assert.Single(SecretScanner.Scan("context", text));

        Assert.Equal((3, 8), (finding.Line, finding.Column));
        Assert.Equal(text.IndexOf(key, StringComparison.Ordinal), finding.Offset);
        Assert.Equal(key.Length, finding.Length);
    }

    [Fact]
    public void A_spec_is_scanned_in_its_instructions_context_and_every_string_of_a_json_payload()
    {
        var token = "ghp_" + new string('a', 20) + new string('B', 16);
        using var payload = JsonDocument.Parse($$"""{ "db": { "host": "x", "tokens": ["none", "{{token}}"] } }""");
        var spec = new TaskSpec
        {
            Instructions = "Use " + token,
            Context = "clean",
            Payload = new TaskPayload { Fmt = PayloadFormat.Json, Content = payload.RootElement.Clone() },
        };

        var findings = SecretScanner.ScanSpec(spec);

        Assert.Equal(["instructions", "payload.content.db.tokens[1]"], findings.Select(f => f.Field));
        Assert.All(findings, f => Assert.Equal("github_token", f.Kind));
    }

    [Fact]
    public void A_secret_used_as_a_json_property_name_is_found_without_its_path_spelling_it()
    {
        var token = "npm_" + new string('z', 36);
        using var payload = JsonDocument.Parse($$"""{ "{{token}}": { "inner": 1 } }""");

        var finding = Assert.Single(SecretScanner.ScanSpec(new TaskSpec { Payload = new TaskPayload { Fmt = PayloadFormat.Json, Content = payload.RootElement.Clone() } }));

        Assert.Equal("npm_token", finding.Kind);
        Assert.DoesNotContain(token, finding.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Redaction_replaces_each_secret_with_its_kind_and_leaves_the_rest()
    {
        var token = "ghp_" + new string('q', 36);
        var key = "AKIA" + "Q3EGRTYW7MZNKX2P";

        var (text, findings) = SecretScanner.Redact("result", $"token {token} and key {key}.");

        Assert.Equal("token [REDACTED:github_token] and key [REDACTED:aws_access_key_id].", text);
        Assert.Equal(2, findings.Count);
    }

    [Fact]
    public void A_result_is_redacted_in_summary_body_and_text_artifacts_but_binary_artifacts_stay()
    {
        var token = "xoxb-" + "2424242424-1357913579-" + new string('k', 24);
        var binary = Convert.ToBase64String([0, 1, 2, 3, 0, 255]);
        var result = new AgentResult
        {
            Summary = "done with " + token,
            Result = "# Notes\n" + token,
            Artifacts =
            [
                new AgentArtifact { Name = "notes.txt", Content = "t=" + token },
                new AgentArtifact { Name = "env.b64", Content = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("TOKEN=" + token)), Encoding = "base64" },
                new AgentArtifact { Name = "blob.bin", Content = binary, Encoding = "base64" },
            ],
        };

        var (redacted, findings) = SecretScanner.RedactResult(result);

        Assert.Equal(4, findings.Count);
        Assert.Equal("done with [REDACTED:slack_token]", redacted.Summary);
        Assert.Equal("# Notes\n[REDACTED:slack_token]", redacted.Result);
        Assert.Equal("t=[REDACTED:slack_token]", redacted.Artifacts[0].Content);
        Assert.Equal("TOKEN=[REDACTED:slack_token]", System.Text.Encoding.UTF8.GetString(redacted.Artifacts[1].GetBytes()));
        Assert.Equal(binary, redacted.Artifacts[2].Content);
    }

    [Fact]
    public void A_clean_result_comes_back_as_it_was()
    {
        var result = AgentResult.Completed("All good: commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12.");

        var (same, findings) = SecretScanner.RedactResult(result);

        Assert.Same(result, same);
        Assert.Empty(findings);
    }

    [Fact]
    public void Screening_rejects_flags_or_ignores_a_spec_by_mode()
    {
        var spec = new TaskSpec { Instructions = "key " + "AKIA" + "Q3EGRTYW7MZNKX2P" };

        var rejected = SecretScreening.ScreenSpec(spec, SecretScanMode.Reject);
        var flagged = SecretScreening.ScreenSpec(spec, SecretScanMode.Flag);
        var off = SecretScreening.ScreenSpec(spec, SecretScanMode.Off);

        Assert.True(rejected.Rejected);
        Assert.False(flagged.Rejected);
        Assert.Equal("secret scan: an AWS access key id (aws_access_key_id) in instructions at line 1, column 5", Assert.Single(flagged.Warnings));
        Assert.Same(SpecScreening.Clean, off);
        Assert.Contains("Nothing was stored", SecretScreening.Describe(rejected.Findings), StringComparison.Ordinal);
    }

    [Fact]
    public void Scanning_a_megabyte_of_context_finds_the_one_secret_in_it()
    {
        var filler = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet 3f2504e0-4f89-11d3-9a0c-0305e82c3301.\n", 16_000));
        var text = filler + "stripe: " + "sk_live_" + new string('9', 30) + "\n" + filler;

        var finding = Assert.Single(SecretScanner.Scan("context", text));

        Assert.Equal(("stripe_secret_key", 16_001), (finding.Kind, finding.Line));
    }
}
