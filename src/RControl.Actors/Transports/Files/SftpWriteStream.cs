using Renci.SshNet.Sftp;

namespace RControl.Transports.Files;

/// <summary>
/// Writes a remote file front to back with up to <c>window</c> SFTP write requests in flight (pipelining, as OpenSSH
/// does): a write returns once its request is on the wire, and only waits when the window is full. Data is gathered
/// into requests of <c>requestSize</c> in one reusable buffer. Flush and dispose wait for every answer, so a failed
/// write surfaces there at the latest; disposing closes the handle. Not seekable.
/// </summary>
internal sealed class SftpWriteStream : Stream
{
    private readonly SftpRawSession _raw;
    private readonly byte[] _handle;
    private readonly string _path;
    private readonly int _window;
    private readonly SftpWriteBuffer _request;
    private readonly Lock _answers = new();
    private int _unanswered;
    private int _wakeAt = -1;
    private TaskCompletionSource? _drained;
    private readonly Delegate _onStatus;
    private int _gathered;
    private ulong _offset;
    private volatile Exception? _failure;
    private bool _disposed;

    /// <param name="start">Where writing starts (an append continues at the file's size).</param>
    public SftpWriteStream(SftpRawSession raw, byte[] handle, string path, int requestSize, int window, long start = 0)
    {
        _offset = (ulong)start;
        _raw = raw;
        _handle = handle;
        _path = path;
        _window = window;
        _request = raw.CreateWriteBuffer(handle, requestSize);
        _onStatus = SftpRawSession.Callbacks(_ => { }, OnStatus).OnStatus;
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

    private int RequestSize => _request.Data.Length;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            while (!buffer.IsEmpty)
            {
                var count = Math.Min(RequestSize - _gathered, buffer.Length);
                buffer[..count].CopyTo(_request.Data[_gathered..]);
                _gathered += count;
                buffer = buffer[count..];
                if (_gathered == RequestSize)
                {
                    await SendGatheredAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            throw SftpFileSystem.Wrap(e, "write", _path);
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
            await AllAnsweredAsync(cancellationToken).ConfigureAwait(false);
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
            await AllAnsweredAsync(CancellationToken.None).ConfigureAwait(false);
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
        if (failure is null)
        {
            _request.Return(); // every write was answered: nothing can still be sent from it
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
        if (_gathered == 0)
        {
            return;
        }

        if (Volatile.Read(ref _unanswered) >= _window)
        {
            // Full: wait until half the window is answered, not for each answer (one wake-up per window / 2 requests).
            await DrainedToAsync(_window / 2, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfFailed();
        var count = _gathered;
        _gathered = 0;
        Interlocked.Increment(ref _unanswered);
        try
        {
            _raw.SendWrite(_request, _offset, count, _onStatus);
        }
        catch
        {
            Interlocked.Decrement(ref _unanswered);
            throw;
        }

        _offset += (ulong)count;
    }

    /// <summary>Waits until every write is answered; throws the first failure.</summary>
    private async Task AllAnsweredAsync(CancellationToken cancellationToken)
    {
        await DrainedToAsync(0, cancellationToken).ConfigureAwait(false);
        ThrowIfFailed();
    }

    /// <summary>Waits until at most <paramref name="level"/> writes are unanswered; fails if the connection is lost (answers would never come).</summary>
    private async Task DrainedToAsync(int level, CancellationToken cancellationToken)
    {
        TaskCompletionSource drained;
        lock (_answers)
        {
            if (_unanswered <= level)
            {
                return;
            }

            drained = _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _wakeAt = level;
        }

        await _raw.WhileConnectedAsync(drained.Task, cancellationToken).ConfigureAwait(false);
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw failure;
        }
    }

    private void OnStatus(StatusCode status, object response)
    {
        if (status != StatusCode.Ok)
        {
            _failure ??= SftpRawSession.ToException(response, _path);
        }

        lock (_answers)
        {
            if (--_unanswered <= _wakeAt || status != StatusCode.Ok)
            {
                _wakeAt = -1;
                _drained?.TrySetResult();
                _drained = null;
            }
        }
    }
}
