using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Tests.Runners;

public sealed class AgentArtifactJsonTests
{
    private static readonly byte[] Binary = [0, 1, 2, 3, 0xFE, 0xFF, 0x80, 0x7F];

    [Fact]
    public void A_base64_artifact_is_held_as_its_bytes_and_written_back_as_the_same_base64()
    {
        var json = $$"""{ "name": "image.bin", "content": "{{Convert.ToBase64String(Binary)}}", "encoding": "base64", "contentType": "image/png" }""";

        var artifact = JsonSerializer.Deserialize<AgentArtifact>(json, CoreJson.Options)!;

        Assert.True(artifact.HoldsBytes);
        Assert.Equal(Binary, artifact.GetBytes());
        Assert.Equal(Binary.Length, artifact.GetSize());
        Assert.Equal(("image.bin", "base64", "image/png"), (artifact.Name, artifact.Encoding, artifact.ContentType));
        using var written = JsonDocument.Parse(JsonSerializer.Serialize(artifact, CoreJson.Options));
        Assert.Equal(Convert.ToBase64String(Binary), written.RootElement.GetProperty("content").GetString());
        Assert.Equal("base64", written.RootElement.GetProperty("encoding").GetString());
    }

    [Fact]
    public void The_encoding_may_come_after_the_content_and_names_match_in_any_case()
    {
        var json = $$"""{ "Content": "{{Convert.ToBase64String(Binary)}}", "NAME": "a.bin", "unknown": { "x": [1] }, "Encoding": "base64" }""";

        var artifact = JsonSerializer.Deserialize<AgentArtifact>(json, CoreJson.Options)!;

        Assert.Equal("a.bin", artifact.Name);
        Assert.Equal(Binary, artifact.GetBytes());
    }

    [Fact]
    public void A_text_artifact_keeps_its_text_with_escapes_undone()
    {
        var artifact = JsonSerializer.Deserialize<AgentArtifact>("""{ "name": "notes.md", "content": "line \"one\"\n\u00e9t\u00e9 \ud83d\ude00" }""", CoreJson.Options)!;

        Assert.False(artifact.HoldsBytes);
        Assert.Equal("utf-8", artifact.Encoding);
        Assert.Equal("line \"one\"\nété 😀", artifact.Content);
        Assert.Equal(Encoding.UTF8.GetBytes("line \"one\"\nété 😀"), artifact.GetBytes());
    }

    [Fact]
    public void Base64_with_line_breaks_still_decodes_and_bad_base64_is_reported_where_the_result_is_checked()
    {
        var wrapped = Convert.ToBase64String(new byte[100], Base64FormattingOptions.InsertLineBreaks);
        var result = JsonSerializer.Deserialize<AgentResult>(
            JsonSerializer.Serialize(new { artifacts = new object[] { new { name = "wrapped.bin", content = wrapped, encoding = "base64" }, new { name = "bad.bin", content = "not base64!", encoding = "base64" } } }),
            CoreJson.Options)!;

        Assert.Equal(new byte[100], result.Artifacts[0].GetBytes());
        var errors = new AttemptResultWriter(new FileSystemArtifactStore(Path.GetTempPath()), new TaskLimits(), TimeProvider.System).Validate(result);
        var error = Assert.Single(errors);
        Assert.Equal(("artifacts[1].content", "is not valid base64"), (error.Field, error.Message));
    }

    [Theory]
    [InlineData("""{ "content": "x" }""", "needs a \"name\"")]
    [InlineData("""{ "name": "a.txt" }""", "needs a \"content\"")]
    [InlineData("""{ "name": "a.txt", "content": 5 }""", "content must be a string")]
    [InlineData("""{ "name": "a.txt", "content": "\ud800" }""", "not valid text")]
    [InlineData("""[ "a.txt" ]""", "must be a JSON object")]
    public void An_artifact_that_cannot_be_read_is_a_json_error_that_says_why(string json, string expected)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<AgentArtifact>(json, CoreJson.Options));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_in_an_artifact_held_as_bytes_is_redacted_and_binary_bytes_stay()
    {
        var token = "xoxb-" + "2424242424-1357913579-" + new string('k', 24);
        var result = new AgentResult
        {
            Artifacts = [AgentArtifact.FromBytes("env.txt", Encoding.UTF8.GetBytes("TOKEN=" + token)), AgentArtifact.FromBytes("blob.bin", Binary)],
        };

        var (redacted, findings) = SecretScanner.RedactResult(result);

        Assert.Single(findings);
        Assert.Equal("TOKEN=[REDACTED:slack_token]", Encoding.UTF8.GetString(redacted.Artifacts[0].GetBytes()));
        Assert.Same(result.Artifacts[1], redacted.Artifacts[1]);
    }
}
