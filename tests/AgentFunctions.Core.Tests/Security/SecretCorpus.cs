namespace AgentFunctions.Core.Tests.Security;

/// <summary>
/// Texts the scanner must flag (one secret of a known kind each, made up for these tests in the shapes the providers
/// use) and texts it must let through: identifiers, hashes, encoded images and prose that look random but are not
/// credentials, and the documentation examples providers publish.
/// </summary>
internal static class SecretCorpus
{
    // Built from parts, so no scanner of this repository's own sources mistakes the corpus for leaked credentials.
    private static readonly string Base62 = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6";

    private static string Run(int length) => string.Concat(Enumerable.Repeat(Base62, (length / Base62.Length) + 1))[..length];

    public static TheoryData<string, string> TruePositives => new()
    {
        { "private_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA" + Run(64) + "\n" + Run(64) + "\n-----END RSA PRIVATE KEY-----" },
        { "private_key", "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACD" + Run(40) + "\n-----END OPENSSH PRIVATE KEY-----\n" },
        { "private_key", "-----BEGIN PRIVATE KEY-----\r\n" + Run(76) + "\r\n-----END PRIVATE KEY-----" },
        { "private_key", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF" + Run(70) + "\n-----END PGP PRIVATE KEY BLOCK-----" },
        { "aws_access_key_id", "export AWS_ACCESS_KEY_ID=" + "AKIA" + "Q3EGRTYW7MZNKX2P" },
        { "aws_access_key_id", "temporary credentials: " + "ASIA" + "J7KQ2WXYZ5ABCDEF" + " (expires soon)" },
        { "aws_secret_access_key", "aws_secret_access_key = " + Run(40) },
        { "aws_secret_access_key", "{\"AWS_SECRET\": \"" + "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "Q9pLmN3xYz" + "\"}" },
        { "azure_storage_account_key", "DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=" + Run(86) + "==;EndpointSuffix=core.windows.net" },
        { "azure_shared_access_key", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=" + Run(43) + "=" },
        { "github_token", "git clone https://" + "ghp_" + Run(36) + "@github.com/acme/app.git" },
        { "github_token", "GITHUB_TOKEN=" + "ghs_" + Run(36) },
        { "github_fine_grained_token", "token " + "github_pat_" + Run(22) + "_" + Run(59) },
        { "gitlab_token", "PRIVATE-TOKEN: " + "glpat-" + Run(20) },
        { "slack_token", "SLACK_BOT_TOKEN=" + "xoxb-" + "2424242424-1357913579" + "-" + Run(24) },
        { "slack_webhook_url", "post to " + "https://hooks.slack.com/services/" + "T01ABCDEF23/B04GHIJKL56/" + Run(24) },
        { "openai_api_key", "OPENAI_API_KEY=" + "sk-proj-" + Run(48) + "T3Blbk" + "FJ" + Run(48) },
        { "openai_api_key", "\"apiKey\": \"" + "sk-" + Run(20) + "T3Blbk" + "FJ" + Run(20) + "\"" },
        { "anthropic_api_key", "x-api-key: " + "sk-ant-api03-" + Run(93) + "AA" },
        { "stripe_secret_key", "Stripe.apiKey = \"" + "sk_live_" + Run(24) + "\";" },
        { "stripe_secret_key", "restricted: " + "rk_live_" + Run(40) },
        { "google_api_key", "https://maps.googleapis.com/maps/api/geocode/json?key=" + "AIza" + Run(35) },
        { "npm_token", "//registry.npmjs.org/:_authToken=" + "npm_" + Run(36) },
    };

    public static TheoryData<string, string> NearMisses => new()
    {
        { "uuid", "Task 3f2504e0-4f89-11d3-9a0c-0305e82c3301 and 7c9e6679-7425-40de-944b-e07fc1f90ae7 are related." },
        { "sha1 hashes", "commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12 reverted a94a8fe5ccb19ba61c4c0873d391e987982fbbd3" },
        { "sha256 hash", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
        { "sha512 hash", "digest cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
        { "base64 image", "![logo](data:image/png;base64," + TinyPng() + ")" },
        { "lorem ipsum", "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat." },
        { "aws documentation example", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
        { "azurite development key", "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;" },
        { "private key mentioned, no key", "Never paste a -----BEGIN PRIVATE KEY----- block into a task; use the vault." },
        { "public key", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + Run(60) + "\n-----END PUBLIC KEY-----" },
        { "certificate", "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa" + Run(60) + "\n-----END CERTIFICATE-----" },
        { "task ids and words with sk-", "task-1234 ask-for-review risk-assessment desk-check sk-short sk_test_" + Run(24) },
        { "placeholders", "Set OPENAI_API_KEY=sk-... and GITHUB_TOKEN=ghp_xxxxxxxx in your shell, AWS key AKIA********" },
        { "jwt-like identifier", "trace 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
        { "base64 of text", "U29tZSBwbGFpbiB0ZXh0IGVuY29kZWQgaW4gYmFzZTY0IGZvciBhIHRlc3Q=" },
        { "long hex", "0x" + string.Concat(Enumerable.Repeat("deadbeefcafebabe", 8)) },
    };

    /// <summary>A real 1x1 PNG plus a few hundred bytes of random-looking data, in base64 as an image URI carries it.</summary>
    private static string TinyPng()
    {
        var bytes = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==").ToList();
        var random = new Random(42);
        for (var i = 0; i < 4096; i++)
        {
            bytes.Add((byte)random.Next(256));
        }

        return Convert.ToBase64String(bytes.ToArray());
    }
}
