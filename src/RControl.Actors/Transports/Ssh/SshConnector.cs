using System.Net.Sockets;
using RControl.Protocol;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace RControl.Transports.Ssh;

/// <summary>
/// Turns an <see cref="SshSessionSpec"/> into an authenticated, host-key-checked SSH.NET client: ssh_config alias,
/// keys / password / keyboard-interactive, known_hosts policy, ProxyJump, connect timeout, keep-alive, fast key
/// exchange first. Every SSH connection of RControl (commands, SFTP) goes through here, so they all apply the same rules.
/// </summary>
internal static class SshConnector
{
    /// <summary>Key exchange algorithms tried first unless the spec names its own (fast in managed code).</summary>
    public static IReadOnlyList<string> FastKeyExchange { get; } = ["curve25519-sha256", "curve25519-sha256@libssh.org"];

    /// <summary>
    /// Ciphers tried first where the runtime has hardware AES-GCM: SSH.NET's default (aes128-ctr with a separate MAC)
    /// moves data about 3× slower here, which bounds file copies and large outputs.
    /// </summary>
    public static IReadOnlyList<string> FastCiphers { get; } = System.Security.Cryptography.AesGcm.IsSupported
        ? ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"]
        : [];

    private const int MaxJumpDepth = 8;

    /// <summary>Connects an <see cref="SshClient"/> for commands. The caller owns (and disposes) it; a jump host is closed with it.</summary>
    /// <exception cref="SshConnectException">Unknown host, refused port, timeout.</exception>
    /// <exception cref="SshAuthenticationFailedException">Wrong key, password or passphrase.</exception>
    /// <exception cref="HostKeyVerificationException">The host key is unknown (strict) or changed.</exception>
    /// <param name="slots">The engine's bound on connects in progress (<see cref="SshConnectSlots.Shared"/> when null);
    /// the connect timeout starts once a slot is free.</param>
    public static Task<SshClient> ConnectAsync(SshSessionSpec spec, CancellationToken cancellationToken, SshConnectSlots? slots = null) =>
        ConnectAsync<SshClient>(spec, (info, owned) => new OwningSshClient(info, owned), 0, slots ?? SshConnectSlots.Shared, null, cancellationToken);

    /// <summary>As <see cref="ConnectAsync(SshSessionSpec, CancellationToken, SshConnectSlots?)"/>, calling <paramref name="slotTaken"/> once the target's connect has its slot.</summary>
    public static Task<SshClient> ConnectAsync(SshSessionSpec spec, SshConnectSlots slots, Action slotTaken, CancellationToken cancellationToken) =>
        ConnectAsync<SshClient>(spec, (info, owned) => new OwningSshClient(info, owned), 0, slots, slotTaken, cancellationToken);

    /// <summary>Connects an <see cref="SftpClient"/> with exactly the same target, auth, host-key and jump rules.</summary>
    /// <inheritdoc cref="ConnectAsync(SshSessionSpec, CancellationToken, SshConnectSlots?)" path="/exception" />
    public static Task<SftpClient> ConnectSftpAsync(SshSessionSpec spec, CancellationToken cancellationToken, SshConnectSlots? slots = null) =>
        ConnectAsync<SftpClient>(spec, (info, owned) => new OwningSftpClient(info, owned), 0, slots ?? SshConnectSlots.Shared, null, cancellationToken);

    /// <summary>Whether SSH.NET reports that the server refused to open a channel (SSH_MSG_CHANNEL_OPEN_FAILURE).</summary>
    public static bool IsChannelRefused(Exception e) =>
        e.GetType() == typeof(SshException) && e.Message.StartsWith("Failed to open a channel", StringComparison.Ordinal);

    /// <summary>"user@host:port", for messages (never a secret).</summary>
    public static string Describe(SshSessionSpec spec)
    {
        var target = SshTarget.Resolve(spec);
        return $"{target.User}@{target.Host}:{target.Port}";
    }

    private static async Task<T> ConnectAsync<T>(SshSessionSpec spec, Func<ConnectionInfo, IDisposable?, T> create, int depth, SshConnectSlots slots, Action? slotTaken, CancellationToken cancellationToken)
        where T : BaseClient
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (depth > MaxJumpDepth)
        {
            throw new SessionException($"proxy-jump chain to {spec.Host} is longer than {MaxJumpDepth} hops (a loop?)");
        }

        var target = SshTarget.Resolve(spec);
        var auth = SshAuthentication.Create(spec, target);
        var connectHost = target.Host;
        var connectPort = target.Port;
        IDisposable? jump = null;
        if (target.Jump is { } jumpSpec)
        {
            jump = await OpenTunnelAsync(jumpSpec, target, depth, slots, cancellationToken).ConfigureAwait(false);
            (connectHost, connectPort) = ("127.0.0.1", (int)((JumpTunnel)jump).Port);
        }

        T? client = null;
        try
        {
            var info = new ConnectionInfo(connectHost, connectPort, target.User, auth.Methods)
            {
                Timeout = spec.ConnectTimeout,
                // RControl gates channels itself (session actor); SSH.NET's own semaphore must never block a thread.
                MaxSessions = 100_000,
                ChannelCloseTimeout = TimeSpan.FromSeconds(2),
                // A refused channel open is reported after one round trip, not ten: the transport decides what to do.
                RetryAttempts = 1,
            };
            PreferKeyExchange(info, spec.KeyExchangeAlgorithms);
            Reorder(info.Encryptions, FastCiphers, keepOthers: true);
            var knownHostsPath = SshTarget.KnownHostsPath(spec);
            var knownHosts = KnownHosts.Load(knownHostsPath);
            PreferKnownHostKeyTypes(info, knownHosts.KeyTypesFor(target.Host, target.Port));

            client = create(info, jump);
            jump = null;
            HostKeyVerificationException? refused = null;
            client.HostKeyReceived += (_, e) =>
            {
                refused = HostKeyCheck.Verify(spec.HostKeyPolicy, knownHosts, knownHostsPath, target.Host, target.Port, e.HostKey);
                e.CanTrust = refused is null;
            };
            if (spec.KeepAlive > TimeSpan.Zero)
            {
                // SSH.NET's keep-alive keeps idle NAT/firewall state; the command pool adds a probe that expects answers.
                client.KeepAliveInterval = spec.KeepAlive;
            }

            // The connect timeout is the host's: it starts once this process lets the connect run.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            IDisposable? slot = await slots.EnterAsync(cancellationToken).ConfigureAwait(false);
            slotTaken?.Invoke();
            timeout.CancelAfter(spec.ConnectTimeout);
            var token = timeout.Token;
            try
            {
                // Key exchange and authentication wait synchronously inside SSH.NET: keep them off the thread pool. The
                // slot is freed when that thread is done, not when the wait below gives up, so the threads stay bounded.
                var connecting = client;
                var held = slot;
                var running = Blocking.Run(() =>
                {
                    using (held)
                    using (slots.Running())
                    {
                        connecting.ConnectAsync(token).GetAwaiter().GetResult();
                    }
                });
                slot = null;
                await running.WaitAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (refused is not null)
            {
                throw new HostKeyVerificationException(refused.Host, refused.Port, refused.KeyType, refused.Fingerprint, refused.Problem, refused.KnownHostsFile, refused.Message) { Source = e.Source };
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SshConnectException(target.Host, target.Port, SshConnectFailure.TimedOut,
                    $"cannot connect to {target.Host}:{target.Port}: no answer within {spec.ConnectTimeout.TotalSeconds:0.###}s", e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw Classify(e, target, auth);
            }
            finally
            {
                slot?.Dispose();
            }

            return client;
        }
        catch
        {
            client?.Dispose();
            jump?.Dispose();
            throw;
        }
    }

    private static async Task<JumpTunnel> OpenTunnelAsync(SshSessionSpec jumpSpec, SshTarget target, int depth, SshConnectSlots slots, CancellationToken cancellationToken)
    {
        SshClient jumpClient;
        try
        {
            // The jump host's connect takes (and frees) a slot of its own before the target's: no connect waits while holding one.
            jumpClient = await ConnectAsync<SshClient>(jumpSpec, (info, owned) => new OwningSshClient(info, owned), depth + 1, slots, null, cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectException e)
        {
            // Host-key and authentication errors of the jump host keep their type; their messages name it.
            throw new SshConnectException(target.Host, target.Port, e.Failure,
                $"cannot reach {target.Host}:{target.Port} through jump host {jumpSpec.Host}: {e.Message}", e);
        }

        try
        {
            // A local port on 127.0.0.1 forwarded over the jump connection (direct-tcpip) to the target.
            var forward = new ForwardedPortLocal("127.0.0.1", 0, target.Host, (uint)target.Port);
            jumpClient.AddForwardedPort(forward);
            forward.Start();
            return new JumpTunnel(jumpClient, forward);
        }
        catch
        {
            jumpClient.Dispose();
            throw;
        }
    }

    private static SessionException Classify(Exception e, SshTarget target, SshAuthentication auth)
    {
        var where = $"{target.Host}:{target.Port}";
        switch (e)
        {
            case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                return new SshConnectException(target.Host, target.Port, SshConnectFailure.UnknownHost, $"cannot connect to {where}: unknown host '{target.Host}'", e);
            case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                return new SshConnectException(target.Host, target.Port, SshConnectFailure.Refused, $"cannot connect to {where}: connection refused (is sshd running on port {target.Port}?)", e);
            case SocketException { SocketErrorCode: SocketError.TimedOut }:
            case SshOperationTimeoutException:
                return new SshConnectException(target.Host, target.Port, SshConnectFailure.TimedOut, $"cannot connect to {where}: timed out", e);
            case SshAuthenticationException:
                return new SshAuthenticationFailedException(target.Host, target.Port, target.User, SshAuthenticationFailure.Rejected,
                    $"authentication failed for {target.User}@{where}: the server refused {auth.Offered}", e);
            case SocketException { SocketErrorCode: SocketError.Shutdown or SocketError.ConnectionReset or SocketError.ConnectionAborted }:
            case SshConnectionException { DisconnectReason: Renci.SshNet.Messages.Transport.DisconnectReason.ConnectionLost }:
                return new SshConnectException(target.Host, target.Port, SshConnectFailure.Other,
                    $"cannot connect to {where}: the server closed the connection during the handshake (sshd restarting, or over its MaxStartups limit?)", e);
            case SocketException socket:
                return new SshConnectException(target.Host, target.Port, SshConnectFailure.Other, $"cannot connect to {where}: {socket.SocketErrorCode} ({socket.Message})", e);
            default:
                return new SshConnectException(target.Host, target.Port, SshConnectFailure.Other, $"cannot connect to {where}: {e.Message}", e);
        }
    }

    private static void PreferKeyExchange(ConnectionInfo info, IReadOnlyList<string>? wanted)
    {
        var explicitList = wanted is { Count: > 0 };
        var order = explicitList ? wanted! : FastKeyExchange;
        var unknown = order.Where(name => !info.KeyExchangeAlgorithms.ContainsKey(name)).ToArray();
        if (explicitList && unknown.Length == order.Count)
        {
            throw new SessionException($"none of the key exchange algorithms {string.Join(", ", order)} is supported (supported: {string.Join(", ", info.KeyExchangeAlgorithms.Keys)})");
        }

        Reorder(info.KeyExchangeAlgorithms, order, keepOthers: !explicitList);
    }

    private static void PreferKnownHostKeyTypes(ConnectionInfo info, IReadOnlyList<string> knownTypes)
    {
        if (knownTypes.Count == 0)
        {
            return;
        }

        // Negotiate a key type known_hosts already lists for this host (as OpenSSH does), so a host with several
        // keys is checked against the one we know instead of looking "changed".
        var preferred = info.HostKeyAlgorithms.Keys.Where(algorithm => knownTypes.Any(type => AlgorithmUsesKeyType(algorithm, type))).ToArray();
        Reorder(info.HostKeyAlgorithms, preferred, keepOthers: true);
    }

    private static bool AlgorithmUsesKeyType(string algorithm, string keyType) =>
        !algorithm.Contains("-cert-", StringComparison.Ordinal) &&
        (algorithm == keyType || (keyType == "ssh-rsa" && algorithm.StartsWith("rsa-sha2-", StringComparison.Ordinal)));

    private static void Reorder<TValue>(IDictionary<string, TValue> algorithms, IReadOnlyList<string> first, bool keepOthers)
    {
        var all = algorithms.ToList();
        algorithms.Clear();
        foreach (var name in first)
        {
            var found = all.FirstOrDefault(a => a.Key == name);
            if (found.Key is not null && !algorithms.ContainsKey(name))
            {
                algorithms.Add(found.Key, found.Value);
            }
        }

        if (keepOthers)
        {
            foreach (var (name, value) in all)
            {
                algorithms.TryAdd(name, value);
            }
        }
    }

    /// <summary>A forwarded local port over a jump host's connection, closed with the client that uses it.</summary>
    private sealed class JumpTunnel(SshClient jumpClient, ForwardedPortLocal forward) : IDisposable
    {
        public uint Port => forward.BoundPort;

        public void Dispose()
        {
            try
            {
                forward.Stop();
            }
            catch (Exception)
            {
                // The jump connection may be gone already.
            }

            forward.Dispose();
            jumpClient.Dispose();
        }
    }

    private sealed class OwningSshClient(ConnectionInfo info, IDisposable? owned) : SshClient(info)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                owned?.Dispose();
            }
        }
    }

    private sealed class OwningSftpClient(ConnectionInfo info, IDisposable? owned) : SftpClient(info)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                owned?.Dispose();
            }
        }
    }
}
