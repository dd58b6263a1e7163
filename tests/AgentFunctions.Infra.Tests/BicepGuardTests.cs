using System.Text.Json.Nodes;
using AgentFunctions.Infra.Tests.Support;

namespace AgentFunctions.Infra.Tests;

/// <summary>
/// What the templates refuse, shown with parameter files a user could write: type errors stop build-params, and the
/// fail() guards stop the deployment, which <c>bicep snapshot</c> evaluates locally as ARM would.
/// </summary>
public sealed class BicepGuardTests
{
    [Fact]
    public async Task The_sample_parameters_evaluate_to_the_roles_app_settings_with_the_api_key_from_key_vault()
    {
        using var infra = new InfraCopy();
        var bicepparam = await infra.DecompileAsync("main");

        var snapshot = await infra.SnapshotAsync(bicepparam);

        snapshot.AssertClean();
        var predicted = infra.ReadSnapshot(bicepparam);
        Assert.Empty(predicted["diagnostics"]!.AsArray());
        var settings = AppSettings(predicted);
        Assert.Equal("remote", settings["Roles__implementation__Runner"]);
        Assert.Equal("3", settings["Roles__implementation__Retry__MaxAttempts"]);
        Assert.Equal("/bin/sh", settings["Roles__smoke__Command__0"]);
        Assert.Equal("agentfunctions", settings["TaskHubName"]);
        // The vault's DNS suffix comes from environment(), which only a deployment resolves: the expression stays.
        var apiKey = settings["Roles__docs__ApiKey"];
        Assert.Contains("@Microsoft.KeyVault(SecretUri=https://", apiKey, StringComparison.Ordinal);
        Assert.Contains("'kv-agentfn-example'", apiKey, StringComparison.Ordinal);
        Assert.Contains("'openai-api-key'", apiKey, StringComparison.Ordinal);
        Assert.All(settings.Keys, name => Assert.Matches("^[A-Za-z0-9._]+$", name)); // what App Service accepts
    }

    [Fact]
    public async Task An_api_key_written_into_a_role_is_refused_before_it_becomes_a_plaintext_app_setting()
    {
        using var infra = new InfraCopy();
        var parameters = InfraCopy.SampleParameters();
        parameters["parameters"]!["roleSettings"]!["value"]!["echo"]!["ApiKey"] = "sk-plaintext";
        infra.WriteParameters("apikey", parameters);

        var built = await infra.BuildParamsAsync(await infra.DecompileAsync("apikey"));

        built.AssertFailedWith("BCP037");
        built.AssertFailedWith("\"ApiKey\" is not allowed");
    }

    [Theory]
    [InlineData("code-review")]
    public async Task A_role_name_app_service_cannot_carry_in_app_setting_names_stops_the_deployment_naming_it(string role)
    {
        using var infra = new InfraCopy();
        var parameters = InfraCopy.SampleParameters();
        parameters["parameters"]!["roleSettings"]!["value"]![role] = new JsonObject { ["Runner"] = "remote" };
        infra.WriteParameters("hyphen", parameters);
        var bicepparam = await infra.DecompileAsync("hyphen");
        (await infra.BuildParamsAsync(bicepparam)).AssertClean(); // the parameters are well-formed ...

        var snapshot = await infra.SnapshotAsync(bicepparam); // ... but the deployment refuses the name

        snapshot.AssertFailedWith($"Role name(s) {role} cannot be deployed to Azure Functions");
        snapshot.AssertFailedWith("only letters, digits, '.' and '_' in app setting names");
    }

    [Fact]
    public async Task A_role_of_roleApiKeySecretNames_is_checked_the_same_way()
    {
        using var infra = new InfraCopy();
        var parameters = InfraCopy.SampleParameters();
        parameters["parameters"]!["roleApiKeySecretNames"]!["value"]!["code-review"] = "review-key";
        infra.WriteParameters("secret", parameters);

        var snapshot = await infra.SnapshotAsync(await infra.DecompileAsync("secret"));

        snapshot.AssertFailedWith("Role name(s) code-review cannot be deployed");
    }

    [Theory]
    [InlineData("agent-functions")]
    [InlineData("1agentfunctions")]
    public async Task A_task_hub_name_with_anything_but_letters_and_digits_or_not_starting_with_a_letter_stops_the_deployment(string hub)
    {
        using var infra = new InfraCopy();
        var parameters = InfraCopy.SampleParameters();
        parameters["parameters"]!["taskHubName"]!["value"] = hub;
        infra.WriteParameters("hub", parameters);

        var snapshot = await infra.SnapshotAsync(await infra.DecompileAsync("hub"));

        snapshot.AssertFailedWith($"taskHubName '{hub}' is not a valid Durable Functions task hub name");
    }

    [Fact]
    public async Task Api_keys_without_a_key_vault_stop_the_deployment()
    {
        using var infra = new InfraCopy();
        var parameters = InfraCopy.SampleParameters();
        parameters["parameters"]!["keyVaultName"]!["value"] = string.Empty;
        infra.WriteParameters("novault", parameters);

        var snapshot = await infra.SnapshotAsync(await infra.DecompileAsync("novault"));

        snapshot.AssertFailedWith("keyVaultName is empty");
    }

    /// <summary>The app settings of the function app in a snapshot (the sites/config resource).</summary>
    private static Dictionary<string, string> AppSettings(JsonNode snapshot) =>
        snapshot["predictedResources"]!.AsArray()
            .Single(r => r!["type"]!.GetValue<string>() == "Microsoft.Web/sites/config")!["properties"]!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value!.ToString());
}
