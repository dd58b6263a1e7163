using AgentFunctions.Testing.Http;
using AgentQ.Cli;
using AgentQ.Config;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>URL and key come from flags, then environment, then the profile, then the default; against a real temp HOME.</summary>
public sealed class ConnectionTests : IDisposable
{
    private const string Profiles = """
        {
          "defaultProfile": "staging",
          "profiles": {
            "staging": { "url": "http://staging.example:7071", "key": "staging-key" },
            "prod": { "url": "https://prod.example", "key": "prod-key" },
            "keyonly": { "key": "local-key" }
          }
        }
        """;

    private readonly TestEnvironment _environment = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _environment.Dispose();
        _stderr.Dispose();
    }

    private ConnectionSettings Resolve(string? url = null, string? key = null, string? profile = null) =>
        ConnectionResolver.Resolve(new ConnectionOverrides(url, key, profile), _environment, _stderr);

    [Fact]
    public void Without_flags_environment_or_file_the_local_default_is_used_with_no_key()
    {
        var settings = Resolve();

        Assert.Equal(new Uri("http://127.0.0.1:7071"), settings.BaseUrl);
        Assert.Null(settings.Key);
        Assert.Null(settings.Profile);
        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public void Default_profile_of_the_file_applies_when_nothing_else_is_given()
    {
        _environment.WriteConfig(Profiles);

        var settings = Resolve();

        Assert.Equal(new Uri("http://staging.example:7071"), settings.BaseUrl);
        Assert.Equal("staging-key", settings.Key);
        Assert.Equal("staging", settings.Profile);
    }

    [Fact]
    public void Profile_flag_beats_environment_profile_which_beats_the_default_profile()
    {
        _environment.WriteConfig(Profiles);
        _environment.Variables["AGENTQ_PROFILE"] = "keyonly";

        Assert.Equal("keyonly", Resolve().Profile);
        Assert.Equal("prod-key", Resolve(profile: "prod").Key);
    }

    [Fact]
    public void Environment_beats_the_profile_and_flags_beat_the_environment()
    {
        _environment.WriteConfig(Profiles);
        _environment.Variables["AGENTQ_URL"] = "http://staging.example:7071";
        _environment.Variables["AGENTQ_KEY"] = "env-key";

        var fromEnvironment = Resolve();
        var fromFlags = Resolve(url: "http://flag.example:1234", key: "flag-key");

        Assert.Equal(new Uri("http://staging.example:7071"), fromEnvironment.BaseUrl);
        Assert.Equal("env-key", fromEnvironment.Key);
        Assert.Equal(new Uri("http://flag.example:1234"), fromFlags.BaseUrl);
        Assert.Equal("flag-key", fromFlags.Key);
    }

    [Fact]
    public void Profile_key_is_used_with_its_own_url_given_elsewhere()
    {
        _environment.WriteConfig(Profiles);

        var settings = Resolve(url: "http://STAGING.example:7071/");

        Assert.Equal("staging-key", settings.Key);
    }

    [Fact]
    public void Profile_key_is_never_sent_to_another_url()
    {
        _environment.WriteConfig(Profiles);

        var settings = Resolve(url: "http://elsewhere.example:7071", profile: "prod");

        Assert.Equal(new Uri("http://elsewhere.example:7071"), settings.BaseUrl);
        Assert.Null(settings.Key);
    }

    [Fact]
    public void Profile_without_url_uses_the_default_url_and_its_key()
    {
        _environment.WriteConfig(Profiles);

        var settings = Resolve(profile: "keyonly");

        Assert.Equal(new Uri("http://127.0.0.1:7071"), settings.BaseUrl);
        Assert.Equal("local-key", settings.Key);
    }

    [Fact]
    public void Unknown_profile_is_a_usage_error_listing_the_known_ones()
    {
        _environment.WriteConfig(Profiles);

        var error = Assert.Throws<CliException>(() => Resolve(profile: "qa"));

        Assert.Equal(ExitCode.Usage, error.ExitCode);
        Assert.Contains("profile 'qa' is not in ", error.Message, StringComparison.Ordinal);
        Assert.Contains("(profiles: keyonly, prod, staging)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Asking_for_a_profile_without_a_config_file_is_a_usage_error()
    {
        var error = Assert.Throws<CliException>(() => Resolve(profile: "prod"));

        Assert.Equal(ExitCode.Usage, error.ExitCode);
        Assert.StartsWith("no config file at ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_config_file_is_a_usage_error_naming_it()
    {
        var path = _environment.WriteConfig("{ \"profiles\": [ }");

        var error = Assert.Throws<CliException>(() => Resolve());

        Assert.Equal(ExitCode.Usage, error.ExitCode);
        Assert.StartsWith($"{path} is not valid: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_file_readable_by_others_gets_a_warning()
    {
        var path = _environment.WriteConfig(Profiles, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Resolve();

        Assert.Equal($"agentq: warning: {path} is readable by other users; run 'chmod 600 {path}'\n", _stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Config_file_readable_by_the_group_only_also_gets_a_warning()
    {
        _environment.WriteConfig(Profiles, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        Resolve();

        Assert.Contains("is readable by other users", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Private_config_file_gets_no_warning()
    {
        _environment.WriteConfig(Profiles, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Resolve();

        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public void Config_file_is_not_read_when_flags_give_url_and_key()
    {
        _environment.WriteConfig("not json at all", UnixFileMode.UserRead | UnixFileMode.OtherRead);

        var settings = Resolve(url: "http://127.0.0.1:9", key: "k");

        Assert.Equal("k", settings.Key);
        Assert.Empty(_stderr.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:7071")]
    [InlineData("ftp://example.com")]
    [InlineData("not a url")]
    public void Url_must_be_absolute_http(string url)
    {
        var error = Assert.Throws<CliException>(() => Resolve(url: url));

        Assert.Equal(ExitCode.Usage, error.ExitCode);
        Assert.Contains("is not an http:// or https:// URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolved_key_reaches_the_server_as_x_functions_key()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(404, RecordingHttpServer.Problem(404, "Not found", "task 't1' does not exist"));
        _environment.WriteConfig($$"""{ "defaultProfile": "local", "profiles": { "local": { "url": "{{server.Url}}", "key": "secret-1" } } }""");

        var result = await CliRunner.RunAsync(_environment, "status", "t1");

        Assert.Equal((int)ExitCode.NotFound, result.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/tasks/t1", request.Path);
        Assert.Equal("secret-1", request.Headers["x-functions-key"]);
    }

    [Fact]
    public async Task Permission_warning_goes_to_stderr_and_keeps_json_stdout_clean()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, """{"status":"healthy","engine":"stub","version":"1","checkedAt":"2025-01-01T00:00:00Z","checks":{}}""");
        _environment.WriteConfig($$"""{ "defaultProfile": "local", "profiles": { "local": { "url": "{{server.Url}}" } } }""", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var result = await CliRunner.RunAsync(_environment, "health", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("is readable by other users", result.ErrorLine, StringComparison.Ordinal);
        Assert.StartsWith("{\"status\":\"healthy\"", result.Stdout, StringComparison.Ordinal);
    }
}
