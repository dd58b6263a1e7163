using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AgentFunctions.Dashboard.Tests.Support;

namespace AgentFunctions.Dashboard.Tests;

/// <summary>What both hosts answer for the dashboard's files, over plain HTTP: security and cache headers, 304, gzip, redirects, keys.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardHttpTests(DashboardServers servers)
{
    public static TheoryData<string> Hosts => new() { "standalone", "functions" };

    private static readonly string[] Files = ["", "/app.js", "/api.js", "/dom.js", "/views/tasks.js", "/views/task.js", "/views/deadletters.js", "/views/roles.js", "/dashboard.css", "/icon.svg"];

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Every_file_carries_a_strict_csp_nosniff_no_cache_and_an_etag_that_revalidates_to_304(string host)
    {
        using var http = Client(host);
        foreach (var file in Files)
        {
            using var response = await http.GetAsync("api/dashboard" + file);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"[{host}] /api/dashboard{file}: {(int)response.StatusCode}");
            var csp = string.Join(';', response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.True(response.Headers.CacheControl?.NoCache, $"[{host}] {file}: Cache-Control {response.Headers.CacheControl}");
            Assert.False(response.Headers.Contains("Set-Cookie"));
            var etag = response.Headers.ETag;
            Assert.True(etag is { IsWeak: false }, $"[{host}] {file}: no strong ETag");

            using var again = new HttpRequestMessage(HttpMethod.Get, "api/dashboard" + file);
            again.Headers.IfNoneMatch.Add(etag!);
            using var revalidated = await http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
            Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task The_page_is_html_that_loads_only_its_own_module_and_styles(string host)
    {
        using var http = Client(host);
        using var response = await http.GetAsync("api/dashboard");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"dashboard/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html.Replace("http-equiv", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script"));
        using var script = await http.GetAsync("api/dashboard/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        using var css = await http.GetAsync("api/dashboard/dashboard.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Files_are_gzipped_for_a_browser_that_takes_it_with_their_own_etag(string host)
    {
        using var http = Client(host);
        using var plain = await http.GetAsync("api/dashboard/views/task.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/dashboard/views/task.js");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var zipped = await http.SendAsync(request);

        Assert.Equal("gzip", zipped.Content.Headers.ContentEncoding.Single());
        Assert.Contains("Accept-Encoding", zipped.Headers.Vary);
        Assert.True(zipped.Content.Headers.ContentLength < plain.Content.Headers.ContentLength / 2, $"[{host}] gzip {zipped.Content.Headers.ContentLength} of {plain.Content.Headers.ContentLength} bytes");
        Assert.NotEqual(plain.Headers.ETag, zipped.Headers.ETag);
        await using var unzip = new System.IO.Compression.GZipStream(await zipped.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(unzip);
        Assert.Equal(await plain.Content.ReadAsStringAsync(), await reader.ReadToEndAsync());
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task An_unknown_file_is_a_404_problem_and_a_trailing_slash_goes_to_the_page(string host)
    {
        using var http = Client(host);
        foreach (var path in new[] { "api/dashboard/nope.js", "api/dashboard/../health", "api/dashboard/views/..%2F..%2Fappsettings.json", "api/dashboard/DashboardAssets.cs" })
        {
            using var missing = await http.GetAsync(path);
            Assert.True(missing.StatusCode == HttpStatusCode.NotFound || (path.Contains("../health", StringComparison.Ordinal) && missing.StatusCode == HttpStatusCode.OK), $"[{host}] {path}: {(int)missing.StatusCode}");
        }

        using var unknown = await http.GetAsync("api/dashboard/nope.js");
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("the dashboard has no file 'nope.js'", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var slash = await http.GetAsync("api/dashboard/");
        Assert.Equal(HttpStatusCode.Redirect, slash.StatusCode);
        Assert.Equal("/api/dashboard", slash.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_standalone_server_sends_its_root_to_the_dashboard()
    {
        using var http = Client("standalone");
        using var response = await http.GetAsync(string.Empty);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/dashboard", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task With_keys_the_page_needs_none_while_the_api_and_whoami_need_a_valid_one()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = servers.Keyed.BaseAddress };
        (await http.GetAsync("api/dashboard")).EnsureSuccessStatusCode();
        (await http.GetAsync("api/dashboard/app.js")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/whoami")).StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/whoami") { Headers = { { "x-functions-key", "not-a-valid-key-at-all" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

        using var viewer = new HttpRequestMessage(HttpMethod.Get, "api/whoami") { Headers = { { "x-functions-key", DashboardServers.ViewerKey } } };
        using var answer = await http.SendAsync(viewer);
        var access = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("viewer", "key"), (access.GetProperty("keyName").GetString(), access.GetProperty("source").GetString()));
        Assert.Equal(["cancel", "read"], access.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    private HttpClient Client(string host) => new(new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
    {
        BaseAddress = host == "standalone" ? servers.Standalone.BaseAddress : servers.Functions.BaseUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
