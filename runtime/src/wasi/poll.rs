//! poll_oneoff: clock subscriptions (relative and absolute) and fd read/write subscriptions
//! (host poll(2) for stdio, pipes and sockets; regular files are always ready).
//! Must never block while holding the WASI context lock, nor return zero events (the guest would
//! spin): a wait that ends with nothing ready reports its earliest clock.

use super::clock::{self, mono_now};
use super::errno::{self, Errno};
use super::mem::Mem;
use super::{Kind, filetype, ret, with_ctx};

pub(crate) const EVENTTYPE_CLOCK: u8 = 0;
pub(crate) const EVENTTYPE_FD_READ: u8 = 1;
pub(crate) const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCK_ABSTIME: u16 = 1;
const EVENTRW_HANGUP: u16 = 1;

/// Size of a preview1 subscription and of an event (the same in both snapshots).
pub(crate) const SUB_SIZE: u32 = 48;
pub(crate) const EVENT_SIZE: u32 = 32;

/// One subscription, independent of the record layout.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sub {
    Clock {
        userdata: u64,
        id: u32,
        timeout: u64,
        flags: u16,
    },
    Fd {
        userdata: u64,
        fd: u32,
        write: bool,
    },
}

/// One event to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Event {
    pub userdata: u64,
    pub error: u16,
    pub kind: u8,
    pub nbytes: u64,
    pub flags: u16,
}

/// Where the fields of a subscription record lie; the two snapshots differ only in the record
/// size and in the clock's offsets (snapshot 0 puts an `identifier` u64 before the clock id).
/// Every layout has userdata u64 @0, tag u8 @8 and fd_readwrite = fd u32 @16.
pub(crate) struct SubLayout {
    pub size: u32,
    pub clock_id: u32,
    pub clock_timeout: u32,
    pub clock_flags: u32,
}

/// Preview1 subscriptions: clock = id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40.
pub(crate) const SUB_LAYOUT: SubLayout = SubLayout {
    size: SUB_SIZE,
    clock_id: 16,
    clock_timeout: 24,
    clock_flags: 40,
};

/// Parses `n` subscriptions laid out as `layout` says.
pub(crate) fn read_subs(
    mem: &Mem,
    ptr: u32,
    n: u32,
    layout: &SubLayout,
) -> Result<Vec<Sub>, Errno> {
    let mut v = Vec::with_capacity(n as usize);
    for i in 0..n {
        // A record past the end of the 32-bit address space is out of bounds too.
        let b = layout
            .size
            .checked_mul(i)
            .and_then(|o| ptr.checked_add(o))
            .ok_or(errno::FAULT)?;
        let at = |off: u32| b.checked_add(off).ok_or(errno::FAULT);
        let userdata = mem.read_u64(b)?;
        v.push(match mem.read_u8(at(8)?)? {
            EVENTTYPE_CLOCK => Sub::Clock {
                userdata,
                id: mem.read_u32(at(layout.clock_id)?)?,
                timeout: mem.read_u64(at(layout.clock_timeout)?)?,
                flags: mem.read_u16(at(layout.clock_flags)?)?,
            },
            t @ (EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE) => Sub::Fd {
                userdata,
                fd: mem.read_u32(at(16)?)?,
                write: t == EVENTTYPE_FD_WRITE,
            },
            _ => return Err(errno::INVAL),
        });
    }
    Ok(v)
}

fn write_events(mem: &Mem, out: u32, events: &[Event]) -> Result<(), Errno> {
    for (i, e) in events.iter().enumerate() {
        // event: userdata u64, error u16 @8, type u8 @10, fd_readwrite {nbytes u64 @16, flags u16 @24}.
        let mut b = [0u8; EVENT_SIZE as usize];
        b[0..8].copy_from_slice(&e.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&e.error.to_le_bytes());
        b[10] = e.kind;
        b[16..24].copy_from_slice(&e.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&e.flags.to_le_bytes());
        mem.write_bytes(out + EVENT_SIZE * i as u32, &b)?;
    }
    Ok(())
}

fn timespec(ns: u64) -> libc::timespec {
    libc::timespec {
        tv_sec: (ns / 1_000_000_000) as libc::time_t,
        tv_nsec: (ns % 1_000_000_000) as _,
    }
}

/// The event type of an fd subscription (and of the events it reports).
fn fd_event_kind(write: bool) -> u8 {
    if write {
        EVENTTYPE_FD_WRITE
    } else {
        EVENTTYPE_FD_READ
    }
}

/// What an fd subscription turned into before waiting.
enum FdWait {
    Ready(Event),
    Poll(libc::pollfd),
}

fn fd_wait(vmctx: *mut u8, userdata: u64, fd: u32, write: bool) -> FdWait {
    let kind = fd_event_kind(write);
    let err = |error| {
        FdWait::Ready(Event {
            userdata,
            error,
            kind,
            ..Event::default()
        })
    };
    with_ctx(vmctx, |ctx| {
        let Ok(e) = ctx.get(fd) else {
            return err(errno::BADF);
        };
        if e.is_dir() {
            return err(errno::BADF);
        }
        if e.kind == Kind::File && e.filetype == filetype::REGULAR_FILE {
            // Regular files are always ready; for reads report the bytes left.
            let mut nbytes = 0;
            if !write && let Ok(st) = super::fd::fstat(e.raw()) {
                // SAFETY: plain syscall on a table fd.
                let pos = unsafe { libc::lseek(e.raw(), 0, libc::SEEK_CUR) };
                nbytes = (st.st_size as u64).saturating_sub(pos.max(0) as u64);
            }
            return FdWait::Ready(Event {
                userdata,
                kind,
                nbytes,
                ..Event::default()
            });
        }
        let events = if write { libc::POLLOUT } else { libc::POLLIN };
        FdWait::Poll(libc::pollfd {
            fd: e.raw(),
            events,
            revents: 0,
        })
    })
}

/// Waits for the first of `subs` and returns the events that are ready.
pub(crate) fn poll(vmctx: *mut u8, subs: &[Sub]) -> Vec<Event> {
    let start = mono_now();
    let mut events = Vec::new();
    // (userdata, monotonic deadline)
    let mut clocks: Vec<(u64, u64)> = Vec::new();
    // (userdata, write) parallel to `pollfds`
    let mut waiting: Vec<(u64, bool)> = Vec::new();
    let mut pollfds: Vec<libc::pollfd> = Vec::new();
    for s in subs {
        match *s {
            Sub::Clock {
                userdata,
                id,
                timeout,
                flags,
            } => {
                let rel = if flags & SUBCLOCK_ABSTIME != 0 {
                    clock::now(id).map(|now| timeout.saturating_sub(now))
                } else {
                    clock::host_clock(id).map(|_| timeout)
                };
                match rel {
                    Ok(rel) => clocks.push((userdata, start.saturating_add(rel))),
                    Err(error) => events.push(Event {
                        userdata,
                        error,
                        kind: EVENTTYPE_CLOCK,
                        ..Event::default()
                    }),
                }
            }
            Sub::Fd {
                userdata,
                fd,
                write,
            } => match fd_wait(vmctx, userdata, fd, write) {
                FdWait::Ready(ev) => events.push(ev),
                FdWait::Poll(p) => {
                    waiting.push((userdata, write));
                    pollfds.push(p);
                }
            },
        }
    }
    let deadline = clocks.iter().map(|&(_, d)| d).min();
    if pollfds.is_empty() {
        if events.is_empty()
            && let Some(d) = deadline
        {
            let ts = timespec(d);
            // Absolute monotonic sleep: precise, and EINTR just resumes it.
            // SAFETY: valid timespec; null remainder is allowed with TIMER_ABSTIME.
            while unsafe {
                libc::clock_nanosleep(
                    libc::CLOCK_MONOTONIC,
                    libc::TIMER_ABSTIME,
                    &ts,
                    std::ptr::null_mut(),
                )
            } == libc::EINTR
            {}
        }
    } else {
        loop {
            let ts = if !events.is_empty() {
                Some(timespec(0))
            } else {
                deadline.map(|d| timespec(d.saturating_sub(mono_now())))
            };
            let tsp = ts
                .as_ref()
                .map_or(std::ptr::null(), |t| t as *const libc::timespec);
            // SAFETY: `pollfds` is a valid array; `tsp` is null or valid.
            let n = unsafe {
                libc::ppoll(
                    pollfds.as_mut_ptr(),
                    pollfds.len() as libc::nfds_t,
                    tsp,
                    std::ptr::null(),
                )
            };
            if n >= 0 {
                break;
            }
            let e = errno::last();
            if e != errno::INTR {
                // Report the failure on every fd subscription rather than failing the call.
                for &(userdata, write) in &waiting {
                    events.push(Event {
                        userdata,
                        error: e,
                        kind: fd_event_kind(write),
                        ..Event::default()
                    });
                }
                pollfds.iter_mut().for_each(|p| p.revents = 0);
                break;
            }
        }
        for (p, &(userdata, write)) in pollfds.iter().zip(&waiting) {
            if p.revents == 0 {
                continue;
            }
            let mut ev = Event {
                userdata,
                kind: fd_event_kind(write),
                ..Event::default()
            };
            if p.revents & libc::POLLNVAL != 0 {
                ev.error = errno::BADF;
            } else if p.revents & libc::POLLERR != 0 && p.revents & libc::POLLHUP == 0 {
                ev.error = errno::IO;
            }
            if p.revents & libc::POLLHUP != 0 {
                ev.flags |= EVENTRW_HANGUP;
            }
            if !write && ev.error == 0 {
                let mut avail: libc::c_int = 0;
                // SAFETY: FIONREAD writes one int.
                if unsafe { libc::ioctl(p.fd, libc::FIONREAD, &mut avail) } == 0 {
                    ev.nbytes = avail.max(0) as u64;
                }
            }
            events.push(ev);
        }
    }
    let now = mono_now();
    let mut expired: Vec<Event> = clocks
        .iter()
        .filter(|&&(_, d)| d <= now)
        .map(|&(userdata, _)| Event {
            userdata,
            kind: EVENTTYPE_CLOCK,
            ..Event::default()
        })
        .collect();
    if events.is_empty()
        && expired.is_empty()
        && let Some(&(userdata, _)) = clocks.iter().min_by_key(|&&(_, d)| d)
    {
        expired.push(Event {
            userdata,
            kind: EVENTTYPE_CLOCK,
            ..Event::default()
        });
    }
    events.extend(expired);
    events
}

/// poll_oneoff with subscriptions laid out as `layout` says.
pub(crate) fn poll_oneoff(
    vmctx: *mut u8,
    mem: &Mem,
    input: u32,
    out: u32,
    n: u32,
    nevents: u32,
    layout: &SubLayout,
) -> Result<(), Errno> {
    if n == 0 {
        return Err(errno::INVAL);
    }
    mem.range(input, n.checked_mul(layout.size).ok_or(errno::FAULT)?)?;
    mem.range(out, n.checked_mul(EVENT_SIZE).ok_or(errno::FAULT)?)?;
    mem.range(nevents, 4)?;
    let subs = read_subs(mem, input, n, layout)?;
    let mut events = poll(vmctx, &subs);
    events.truncate(n as usize);
    write_events(mem, out, &events)?;
    mem.write_u32(nevents, events.len() as u32)
}

pub unsafe extern "C" fn wasmaot_wasi_poll_oneoff(
    vmctx: *mut u8,
    input: i32,
    out: i32,
    nsubscriptions: i32,
    nevents: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(poll_oneoff(
        vmctx,
        &mem,
        input as u32,
        out as u32,
        nsubscriptions as u32,
        nevents as u32,
        &SUB_LAYOUT,
    ))
}
