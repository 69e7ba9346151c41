//! What each step reads: one table, used by the diagnosis (a step passes only when the
//! evidence it rests on is there), by the TUI's `r` (which re-sends exactly a step's
//! exchanges) and by the TUI's progress (a step's evidence is in when all of its inputs are).

use crate::evidence::ExchangeKind::{self, Actual, ForeignOrigin, NoOrigin, Preflight};

/// The evidence one step reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepInputs {
    pub number: u8,
    /// The probe exchanges the step reads.
    pub exchanges: &'static [ExchangeKind],
    /// Of those, the ones a `pass` rests on: when one of them got no answer, the step is
    /// `unknown` ("not checked"), never `pass`. A preflight counts only when the browser
    /// sends one (otherwise the step says why it does not apply).
    pub pass_needs: &'static [ExchangeKind],
    /// The step reads the API's configuration (when there is one).
    pub config: bool,
    /// The step reads the browser retest (a real Chromium's observation, with `--browser`):
    /// rerunning it means the whole run, Chromium included.
    pub browser: bool,
}

/// The seven steps' inputs, in order.
pub const STEP_INPUTS: [StepInputs; 7] = [
    // Who answered, in words, uses the configuration (an HTTP API's own errors).
    StepInputs {
        number: 1,
        exchanges: &[Actual, NoOrigin],
        pass_needs: &[NoOrigin],
        config: true,
        browser: false,
    },
    // The preflight plan: from the request itself.
    StepInputs {
        number: 2,
        exchanges: &[],
        pass_needs: &[],
        config: false,
        browser: false,
    },
    StepInputs {
        number: 3,
        exchanges: &[Preflight],
        pass_needs: &[Preflight],
        config: true,
        browser: false,
    },
    StepInputs {
        number: 4,
        exchanges: &[Preflight],
        pass_needs: &[Preflight],
        config: true,
        browser: false,
    },
    // The foreign-origin preflight is a security lint: its absence does not leave the
    // headers unchecked.
    StepInputs {
        number: 5,
        exchanges: &[Preflight, Actual, ForeignOrigin],
        pass_needs: &[Preflight, Actual],
        config: true,
        browser: false,
    },
    StepInputs {
        number: 6,
        exchanges: &[Actual],
        pass_needs: &[Actual],
        config: true,
        browser: false,
    },
    StepInputs {
        number: 7,
        exchanges: &[Preflight, Actual],
        pass_needs: &[Preflight, Actual],
        config: true,
        browser: true,
    },
];

/// The inputs of step `number` (1–7; others are clamped).
pub fn step_inputs(number: u8) -> &'static StepInputs {
    &STEP_INPUTS[usize::from(number.clamp(1, 7)) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_step_once_in_order() {
        for (i, s) in STEP_INPUTS.iter().enumerate() {
            assert_eq!(usize::from(s.number), i + 1);
            assert!(s.pass_needs.iter().all(|k| s.exchanges.contains(k)));
        }
        assert_eq!(step_inputs(5).number, 5);
    }
}
