//! The key map: the [`Action`] each key requests in each [`InputMode`].
//!
//! The same tables feed the lookup, the footer and the help overlay, so the
//! screen always describes a key by the action it performs.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::app::{Action, InputMode};

/// One key, with the modifiers that must be held. Shift is never required: it
/// is already part of the character a key types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    modifiers: KeyModifiers,
}

const fn char_key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
    }
}

const fn code_key(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ctrl_key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

/// A set of keys bound to one action, as the footer and the help show it.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    /// The keys as shown: `j ↓`.
    pub label: &'static str,
    /// One or two words for the footer, empty when the footer leaves it out.
    pub short: &'static str,
    /// The action's description, for the help.
    pub description: &'static str,
    pub action: Action,
}

const QUIT_KEYS: &[Key] = &[char_key('q'), ctrl_key('c')];

/// Bindings while browsing, in the order the help lists them.
pub const NORMAL: &[Binding] = &[
    Binding {
        keys: &[code_key(KeyCode::Right), char_key('l'), char_key('n')],
        label: "→ l n",
        short: "step",
        description: "step: take the next event through the pipeline",
        action: Action::Step,
    },
    Binding {
        keys: &[code_key(KeyCode::Left), char_key('h'), char_key('u')],
        label: "← h u",
        short: "back",
        description: "step back: undo the last step and its store line",
        action: Action::StepBack,
    },
    Binding {
        keys: &[char_key(' ')],
        label: "space",
        short: "play",
        description: "play or pause the animated run",
        action: Action::TogglePlay,
    },
    Binding {
        keys: &[char_key('+'), char_key('=')],
        label: "+ =",
        short: "",
        description: "play faster",
        action: Action::Faster,
    },
    Binding {
        keys: &[char_key('-')],
        label: "-",
        short: "",
        description: "play slower",
        action: Action::Slower,
    },
    Binding {
        keys: &[char_key('r')],
        label: "r",
        short: "run",
        description: "run to the end at once",
        action: Action::RunToEnd,
    },
    Binding {
        keys: &[code_key(KeyCode::Up), char_key('k')],
        label: "↑ k",
        short: "",
        description: "select the previous event, or scroll the focused pane up",
        action: Action::SelectUp,
    },
    Binding {
        keys: &[code_key(KeyCode::Down), char_key('j')],
        label: "↓ j",
        short: "",
        description: "select the next event, or scroll the focused pane down",
        action: Action::SelectDown,
    },
    Binding {
        keys: &[code_key(KeyCode::PageUp), ctrl_key('b')],
        label: "PgUp Ctrl-B",
        short: "",
        description: "move up one page",
        action: Action::PageUp,
    },
    Binding {
        keys: &[code_key(KeyCode::PageDown), ctrl_key('f')],
        label: "PgDn Ctrl-F",
        short: "",
        description: "move down one page",
        action: Action::PageDown,
    },
    Binding {
        keys: &[code_key(KeyCode::Home), char_key('g')],
        label: "Home g",
        short: "",
        description: "go to the first row",
        action: Action::SelectFirst,
    },
    Binding {
        keys: &[code_key(KeyCode::End), char_key('G')],
        label: "End G",
        short: "",
        description: "go to the last row",
        action: Action::SelectLast,
    },
    Binding {
        keys: &[char_key('o')],
        label: "o",
        short: "",
        description: "jump from a duplicate to its first occurrence",
        action: Action::JumpToFirstOccurrence,
    },
    Binding {
        keys: &[char_key('f')],
        label: "f",
        short: "filter",
        description: "filter: pending, processed, duplicate, malformed, all",
        action: Action::NextFilter,
    },
    Binding {
        keys: &[char_key('F')],
        label: "F",
        short: "",
        description: "filter by status, in reverse order",
        action: Action::PreviousFilter,
    },
    Binding {
        keys: &[char_key('/')],
        label: "/",
        short: "search",
        description: "search by event id (case-sensitive substring)",
        action: Action::StartSearch,
    },
    Binding {
        keys: &[code_key(KeyCode::Tab)],
        label: "Tab",
        short: "",
        description: "move the focus: events, detail, store",
        action: Action::FocusNext,
    },
    Binding {
        keys: &[code_key(KeyCode::BackTab)],
        label: "Shift-Tab",
        short: "",
        description: "move the focus back",
        action: Action::FocusPrevious,
    },
    Binding {
        keys: &[char_key('?')],
        label: "?",
        short: "help",
        description: "show or hide this help",
        action: Action::ToggleHelp,
    },
    Binding {
        keys: &[code_key(KeyCode::Esc)],
        label: "Esc",
        short: "",
        description: "clear the search and filter; quit when there is none",
        action: Action::Back,
    },
    Binding {
        keys: QUIT_KEYS,
        label: "q Ctrl-C",
        short: "quit",
        description: "quit: sync the store to disk and leave",
        action: Action::Quit,
    },
];

/// Bindings while typing a search; any other printable character is typed.
pub const SEARCH: &[Binding] = &[
    Binding {
        keys: &[code_key(KeyCode::Enter)],
        label: "Enter",
        short: "keep",
        description: "stop typing and keep the search",
        action: Action::SearchConfirm,
    },
    Binding {
        keys: &[code_key(KeyCode::Esc)],
        label: "Esc",
        short: "clear",
        description: "stop typing and clear the search",
        action: Action::SearchCancel,
    },
    Binding {
        keys: &[code_key(KeyCode::Backspace)],
        label: "Backspace",
        short: "",
        description: "delete the last character",
        action: Action::SearchBackspace,
    },
    Binding {
        keys: &[ctrl_key('c')],
        label: "Ctrl-C",
        short: "quit",
        description: "quit",
        action: Action::Quit,
    },
];

/// Bindings while the help is open.
pub const HELP: &[Binding] = &[
    Binding {
        keys: &[char_key('?'), code_key(KeyCode::Esc), char_key('q')],
        label: "? Esc q",
        short: "close",
        description: "close the help",
        action: Action::ToggleHelp,
    },
    Binding {
        keys: &[code_key(KeyCode::Up), char_key('k')],
        label: "↑ k",
        short: "scroll",
        description: "scroll up",
        action: Action::SelectUp,
    },
    Binding {
        keys: &[code_key(KeyCode::Down), char_key('j')],
        label: "↓ j",
        short: "",
        description: "scroll down",
        action: Action::SelectDown,
    },
    Binding {
        keys: &[ctrl_key('c')],
        label: "Ctrl-C",
        short: "quit",
        description: "quit",
        action: Action::Quit,
    },
];

/// Returns the bindings in force in `mode`.
pub fn bindings(mode: InputMode) -> &'static [Binding] {
    match mode {
        InputMode::Normal => NORMAL,
        InputMode::Search => SEARCH,
        InputMode::Help => HELP,
    }
}

/// Returns the action `key` requests in `mode`, if any.
pub fn action_for(mode: InputMode, key: KeyEvent) -> Option<Action> {
    // Shift is dropped: `G` and `?` arrive with it on some terminals and not on
    // others, and Shift-Tab arrives as its own key code.
    let pressed = Key {
        code: key.code,
        modifiers: key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT),
    };
    let bound = bindings(mode)
        .iter()
        .find(|binding| binding.keys.contains(&pressed))
        .map(|binding| binding.action);
    if bound.is_some() || mode != InputMode::Search {
        return bound;
    }
    match pressed {
        Key {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::NONE,
        } => Some(Action::SearchInput(c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn labels_name_every_key() {
        for binding in NORMAL.iter().chain(SEARCH).chain(HELP) {
            assert_eq!(
                binding.label.split(' ').count(),
                binding.keys.len(),
                "label {:?} of {:?}",
                binding.label,
                binding.action
            );
        }
    }

    #[test]
    fn keys_map_arrows_and_vi_letters_alike() {
        let normal = InputMode::Normal;
        assert_eq!(
            action_for(normal, press(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::SelectDown)
        );
        assert_eq!(
            action_for(normal, press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::SelectDown)
        );
        assert_eq!(
            action_for(normal, press(KeyCode::Char('k'), KeyModifiers::NONE)),
            Some(Action::SelectUp)
        );
    }

    #[test]
    fn keys_ignore_shift_on_characters() {
        assert_eq!(
            action_for(InputMode::Normal, press(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::ToggleHelp)
        );
        assert_eq!(
            action_for(InputMode::Normal, press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::SelectLast)
        );
    }

    #[test]
    fn keys_ctrl_c_quits_in_every_mode() {
        for mode in [InputMode::Normal, InputMode::Search, InputMode::Help] {
            assert_eq!(
                action_for(mode, press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
                Some(Action::Quit),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn keys_type_into_the_search() {
        assert_eq!(
            action_for(InputMode::Search, press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::SearchInput('q'))
        );
        assert_eq!(
            action_for(InputMode::Search, press(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::SearchCancel)
        );
    }

    #[test]
    fn keys_q_closes_the_help_instead_of_quitting() {
        assert_eq!(
            action_for(InputMode::Help, press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::ToggleHelp)
        );
    }

    #[test]
    fn keys_bound_once_per_mode() {
        for mode in [InputMode::Normal, InputMode::Search, InputMode::Help] {
            let keys: Vec<&Key> = bindings(mode).iter().flat_map(|b| b.keys).collect();
            for (i, key) in keys.iter().enumerate() {
                assert!(!keys[..i].contains(key), "{key:?} twice in {mode:?}");
            }
        }
    }
}
