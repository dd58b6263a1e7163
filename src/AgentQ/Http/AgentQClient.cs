using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Telemetry;
using AgentQ.Cli;
using AgentQ.Config;

namespace AgentQ.Http;

/// <summary>
/// The HTTP side of agentq: resolves <c>/api/...</c> paths against the base URL, sends the key as
/// <c>x-functions-key</c>, and turns transport failures and error answers into <see cref="CliException"/>s
/// with the documented exit codes.
/// </summary>
public sealed class AgentQClient : IDisposable
{
    public const string KeyHeader = "x-functions-key";

    /// <summary>How long an ordinary request may take before the server counts as unreachable.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient _http;
    private readonly Uri _root;
    private readonly ConnectionSettings _settings;

    public AgentQClient(ConnectionSettings settings, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _root = Normalize(settings.BaseUrl);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        // Per-request timeouts below: long polls need longer than ordinary calls.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("agentq", typeof(AgentQClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        if (settings.Key is { } key)
        {
            _http.DefaultRequestHeaders.TryAddWithoutValidation(KeyHeader, key);
        }
    }

    /// <summary>The server's origin (and path prefix), ending in '/'.</summary>
    public Uri Root => _root;

    /// <summary>An absolute URL for a path under <c>/api/</c>, e.g. <c>Api("tasks", id, "result")</c>; each segment is escaped.</summary>
    public Uri Api(params string[] segments) =>
        new(_root, "api/" + string.Join('/', segments.Select(Uri.EscapeDataString)));

    /// <summary>An absolute URL for <c>/api/{path}</c> where <paramref name="pathAndQuery"/> is already escaped.</summary>
    public Uri ApiRaw(string pathAndQuery) => new(_root, "api/" + pathAndQuery);

    /// <summary>Sends a request and reads the whole answer, whatever its status. Transport failures throw (exit 10).</summary>
    /// <param name="trace">The W3C context the request runs under (a worker's span), sent as <c>traceparent</c> and <c>tracestate</c>.</param>
    public async Task<ApiResponse> SendAsync(HttpMethod method, Uri uri, object? body, CancellationToken cancellationToken, TimeSpan? timeout = null, TraceContext? trace = null)
    {
        using var request = CreateRequest(method, uri, body);
        if (trace is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", trace.TraceParent);
            if (trace.TraceState is { } state)
            {
                request.Headers.TryAddWithoutValidation("tracestate", state);
            }
        }

        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, timeout ?? DefaultRequestTimeout, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return new ApiResponse(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, response.Headers.Location)
        {
            RetryAfter = response.Headers.RetryAfter?.Delta,
        };
    }

    /// <summary>Like <see cref="SendAsync"/>, but a non-2xx answer throws with its problem detail and exit code.</summary>
    public async Task<ApiResponse> SendCheckedAsync(HttpMethod method, Uri uri, object? body, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var response = await SendAsync(method, uri, body, cancellationToken, timeout);
        EnsureSuccess(response);
        return response;
    }

    public Task<ApiResponse> GetAsync(Uri uri, CancellationToken cancellationToken) =>
        SendCheckedAsync(HttpMethod.Get, uri, null, cancellationToken);

    public Task<ApiResponse> PostAsync(Uri uri, object? body, CancellationToken cancellationToken) =>
        SendCheckedAsync(HttpMethod.Post, uri, body, cancellationToken);

    /// <summary>Streams a download into <paramref name="destination"/>; a non-2xx answer throws like <see cref="SendCheckedAsync"/>.</summary>
    public async Task DownloadAsync(Uri uri, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var request = CreateRequest(HttpMethod.Get, uri, null);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, DefaultRequestTimeout, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            EnsureSuccess(new ApiResponse(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, null));
        }

        await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            await content.CopyToAsync(destination, cancellationToken);
        }
        catch (HttpIOException ex)
        {
            // The connection broke mid-body; a failure to write the destination is the caller's (local I/O).
            throw new CliException(ExitCode.Unreachable, $"the download of {Describe(uri)} broke off: {ex.Message.TrimEnd('.')}", ex);
        }
    }

    /// <summary>Throws the one-line error for a non-2xx answer.</summary>
    public void EnsureSuccess(ApiResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccess)
        {
            throw new CliException(ExitCodes.ForHttpStatus(response.Status), ProblemText.Describe(response, _settings.Key is not null));
        }
    }

    public void Dispose() => _http.Dispose();

    private static HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, object? body)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body, body.GetType(), CliJson.Requests);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, HttpCompletionOption completion, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await _http.SendAsync(request, completion, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCode.Unreachable, $"no answer from {Describe(request.RequestUri)} within {timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCode.Unreachable, $"cannot reach the server at {_root.GetLeftPart(UriPartial.Authority)}: {Reason(ex)}", ex);
        }
    }

    private string Describe(Uri? uri) => uri is null ? _root.ToString() : uri.GetLeftPart(UriPartial.Path);

    private static string Reason(HttpRequestException exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused (is the server running?)",
                    SocketError.HostNotFound or SocketError.NoData => "host not found",
                    SocketError.TimedOut => "connection timed out",
                    _ => socket.Message,
                };
            }
        }

        // "The SSL connection could not be established, see inner exception": the inner one says why (e.g. an
        // https:// URL for an http-only server), so both go on the one line.
        var message = exception.Message.TrimEnd('.');
        return exception.InnerException is { Message.Length: > 0 } cause && !message.Contains(cause.Message.TrimEnd('.'), StringComparison.Ordinal)
            ? $"{message.Replace(", see inner exception", string.Empty, StringComparison.Ordinal)}: {cause.Message.TrimEnd('.')}"
            : message;
    }

    /// <summary>Whether <paramref name="url"/> names the server at <paramref name="root"/> (same scheme, host, port and path prefix).</summary>
    public static bool SameServer(string url, Uri root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Uri.TryCreate(url, UriKind.Absolute, out var other)
            && string.Equals(Normalize(other).ToString(), Normalize(root).ToString(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The base URL with a trailing '/', and without a trailing <c>api</c> segment the user may have added.</summary>
    private static Uri Normalize(Uri baseUrl)
    {
        var text = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (text.EndsWith("/api", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^4];
        }

        return new Uri(text + "/");
    }
}
