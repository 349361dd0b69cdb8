using System.Buffers;
using System.Runtime.InteropServices;

namespace RControl.Transports.Files;

/// <summary>
/// Writes a remote file front to back with up to <c>window</c> SFTP write requests in flight (pipelining, as OpenSSH
/// does): a write returns once its request is on the wire, and only waits when the window is full, for the oldest
/// answer. Small writes are gathered into requests of <c>requestSize</c>. Flush and dispose wait for every answer, so
/// a failed write surfaces there at the latest; disposing closes the handle. Not seekable.
/// </summary>
internal sealed class SftpWriteStream : Stream
{
    private readonly SftpRawSession _raw;
    private readonly byte[] _handle;
    private readonly string _path;
    private readonly int _requestSize;
    private readonly int _window;
    private readonly Queue<Task> _inFlight = new();
    private byte[]? _gather;
    private int _gathered;
    private ulong _offset;
    private bool _disposed;

    public SftpWriteStream(SftpRawSession raw, byte[] handle, string path, int requestSize, int window)
    {
        _raw = raw;
        _handle = handle;
        _path = path;
        _requestSize = requestSize;
        _window = window;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => throw new NotSupportedException("an SFTP write stream is written front to back");

    public override long Position
    {
        get => (long)_offset + _gathered;
        set => throw new NotSupportedException("an SFTP write stream is written front to back");
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await WriteCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw SftpFileSystem.Wrap(e, "write", _path);
        }
    }

    private async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty)
        {
            if (_gathered == 0 && buffer.Length >= _requestSize && MemoryMarshal.TryGetArray(buffer, out var segment))
            {
                // Whole requests straight from the caller's array: SSH.NET copies them into packets before returning.
                await SendAsync(segment.Array!, segment.Offset, _requestSize, cancellationToken).ConfigureAwait(false);
                buffer = buffer[_requestSize..];
                continue;
            }

            _gather ??= ArrayPool<byte>.Shared.Rent(_requestSize);
            var count = Math.Min(_requestSize - _gathered, buffer.Length);
            buffer[..count].CopyTo(_gather.AsMemory(_gathered));
            _gathered += count;
            buffer = buffer[count..];
            if (_gathered == _requestSize)
            {
                await SendGatheredAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Sends what is gathered and waits until the server has acknowledged every write.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await SendGatheredAsync(cancellationToken).ConfigureAwait(false);
            while (_inFlight.Count > 0)
            {
                await _inFlight.Dequeue().ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            throw SftpFileSystem.Wrap(e, "write", _path);
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("an SFTP write stream is written front to back");

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Sends what is gathered and the close right behind it (the server answers a handle's requests in order), then
    /// waits for every answer; a write or close that failed throws here.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        Exception? failure = null;
        Task? close = null;
        try
        {
            await SendGatheredAsync(CancellationToken.None).ConfigureAwait(false);
            if (_raw.IsConnected)
            {
                close = _raw.CloseAsync(_handle, CancellationToken.None);
            }

            // Also when the connection is gone: unanswered writes then fail here, so a cut copy is never taken as whole.
            while (_inFlight.Count > 0)
            {
                await _inFlight.Dequeue().ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        if (close is not null)
        {
            try
            {
                await close.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }

        _disposed = true;
        ObserveRest();
        if (_gather is { } gather)
        {
            _gather = null;
            ArrayPool<byte>.Shared.Return(gather);
        }

        await base.DisposeAsync().ConfigureAwait(false);
        if (failure is not null)
        {
            throw SftpFileSystem.Wrap(failure, "write", _path);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private async Task SendGatheredAsync(CancellationToken cancellationToken)
    {
        if (_gathered > 0)
        {
            var count = _gathered;
            _gathered = 0;
            await SendAsync(_gather!, 0, count, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(byte[] data, int start, int length, CancellationToken cancellationToken)
    {
        while (_inFlight.Count >= _window)
        {
            await _inFlight.Dequeue().ConfigureAwait(false);
        }

        _inFlight.Enqueue(_raw.WriteAsync(_handle, _offset, data, start, length, cancellationToken));
        _offset += (ulong)length;
    }

    /// <summary>After a failure: answers still in flight are observed, so their errors are not reported twice.</summary>
    private void ObserveRest()
    {
        foreach (var answer in _inFlight)
        {
            _ = answer.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _inFlight.Clear();
    }
}
